// Lineage of a table version: its parents down to the source files (with hashes), as a tree for people and as
// edges (records.ts LineageEdge) for the registry to join with datasets and models.
import { ids, type LineageEdge, type TableRef } from "../records.js";
import type { SourceFileRecord } from "./checkpoint.js";
import type { Lake } from "./lake.js";

export interface LineageSourceFile {
  path: string;
  hash: string;
  rows: number;
  /** The version of the table that ingested it. */
  ingestedBy: TableRef;
}

export interface LineageNode {
  table: string;
  version: number;
  operation: string;
  contentHash: string;
  rowCount: number;
  createdAt: string;
  /** Files ingested into this table up to this version (an append chain is folded into one node). */
  sourceFiles: LineageSourceFile[];
  parents: LineageNode[];
  /** Set when an ancestor version was removed by vacuum, so the tree stops there. */
  missing?: TableRef[];
}

const SAME_TABLE_CHAIN = new Set(["append", "merge", "scd2", "quarantine", "replace", "forget", "revert"]);

/** The lineage tree of `ref`, down to source files. */
export function tableLineage(lake: Lake, ref: TableRef, depth = 50): LineageNode {
  const m = lake.manifest(ref);
  const node: LineageNode = {
    table: m.table, version: m.version, operation: m.operation, contentHash: m.contentHash, rowCount: m.rowCount, createdAt: m.createdAt,
    sourceFiles: [], parents: [],
  };
  const visitParents = new Map<string, TableRef>();
  // Walk back along this table's own versions while they built on the one before (appends, merges).
  let cur: typeof m | null = m;
  while (cur) {
    for (const s of (cur.info?.sourceFiles ?? []) as SourceFileRecord[]) {
      node.sourceFiles.push({ path: s.path, hash: s.hash, rows: s.rows, ingestedBy: { table: cur.table, version: cur.version } });
    }
    let next: typeof m | null = null;
    for (const p of cur.parents) {
      if (p.table === cur.table && p.version < cur.version && SAME_TABLE_CHAIN.has(cur.operation)) {
        try {
          next = lake.manifest(p);
        } catch {
          (node.missing ??= []).push(p);
        }
      } else visitParents.set(`${p.table}@${p.version}`, p);
    }
    cur = next;
  }
  node.sourceFiles.reverse();
  if (depth > 0) {
    for (const p of visitParents.values()) {
      try {
        node.parents.push(tableLineage(lake, p, depth - 1));
      } catch {
        (node.missing ??= []).push(p);
      }
    }
  }
  return node;
}

/** The same lineage as edges: table → parent table (derived_from), table → source file (ingested_from). */
export function lineageEdges(node: LineageNode): LineageEdge[] {
  const out: LineageEdge[] = [];
  const seen = new Set<string>();
  const walk = (n: LineageNode) => {
    const me = ids.table(n);
    for (const f of n.sourceFiles) out.push({ from: me, to: ids.file(f.path, f.hash), kind: "ingested_from" });
    for (const p of n.parents) {
      out.push({ from: me, to: ids.table(p), kind: "derived_from" });
      const key = ids.table(p);
      if (!seen.has(key)) {
        seen.add(key);
        walk(p);
      }
    }
  };
  walk(node);
  return out;
}
