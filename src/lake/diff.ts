// Compares two versions of a table: schema, row counts, files, and (given a key) rows added, removed, changed.
import { ValidationError } from "../errors.js";
import type { ColumnSchema } from "../records.js";
import type { Lake } from "./lake.js";
import { ident } from "./sql.js";

export interface TableDiff {
  table: string;
  from: number;
  to: number;
  rowCount: { from: number; to: number; delta: number };
  schema: { added: ColumnSchema[]; removed: ColumnSchema[]; changed: { name: string; from: string; to: string }[] };
  files: { added: number; removed: number; kept: number };
  contentChanged: boolean;
  /** With a key: rows only in `to`, only in `from`, and present in both with different values. */
  rows?: { added: number; removed: number; changed: number; key: string[] };
}

export async function diffVersions(lake: Lake, table: string, from: number, to: number, opts: { key?: string[] } = {}): Promise<TableDiff> {
  const a = lake.manifest({ table, version: from });
  const b = lake.manifest({ table, version: to });
  const byName = (s: ColumnSchema[]) => new Map(s.map((c) => [c.name, c]));
  const sa = byName(a.schema);
  const sb = byName(b.schema);
  const diff: TableDiff = {
    table, from, to,
    rowCount: { from: a.rowCount, to: b.rowCount, delta: b.rowCount - a.rowCount },
    schema: {
      added: b.schema.filter((c) => !sa.has(c.name)),
      removed: a.schema.filter((c) => !sb.has(c.name)),
      changed: b.schema.filter((c) => sa.has(c.name) && sa.get(c.name)!.type !== c.type).map((c) => ({ name: c.name, from: sa.get(c.name)!.type, to: c.type })),
    },
    files: {
      added: b.files.filter((f) => !a.files.includes(f)).length,
      removed: a.files.filter((f) => !b.files.includes(f)).length,
      kept: b.files.filter((f) => a.files.includes(f)).length,
    },
    contentChanged: a.contentHash !== b.contentHash,
  };
  if (opts.key?.length) {
    for (const k of opts.key) {
      if (!sa.has(k) || !sb.has(k)) throw new ValidationError(`diff key ${k} is not a column of both versions`, { path: `${table}.${k}` });
    }
    const keys = opts.key.map(ident).join(", ");
    const common = a.schema.filter((c) => sb.has(c.name) && !opts.key!.includes(c.name) && !c.name.startsWith("_"));
    const changedWhere = common.map((c) => `x.${ident(c.name)} IS DISTINCT FROM y.${ident(c.name)}`).join(" OR ") || "false";
    const [r] = await lake.duck.rows(
      `SELECT count(*) FILTER (WHERE x.__in IS NULL) AS added, count(*) FILTER (WHERE y.__in IS NULL) AS removed,
              count(*) FILTER (WHERE x.__in AND y.__in AND (${changedWhere})) AS changed
       FROM (SELECT *, true AS __in FROM ${lake.relation(a)}) x FULL OUTER JOIN (SELECT *, true AS __in FROM ${lake.relation(b)}) y USING (${keys})`,
    );
    diff.rows = { added: Number(r.added), removed: Number(r.removed), changed: Number(r.changed), key: opts.key };
  }
  return diff;
}
