// Appends source files and record batches to bronze tables: each source exactly once (by path + content hash,
// or by batch id), malformed rows to the quarantine, rows_in = rows_out + rows_quarantined checked per commit.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors.js";
import type { TableVersion } from "../records.js";
import { checkpointKey, forgetHashes, loadCheckpoint, saveCheckpoint, type SourceFileRecord } from "./checkpoint.js";
import { sha256File, sha256Text } from "./hash.js";
import { formatOf, writeSourceAsParquet, type BadRowSample, type QuarantineRow, type SourceOptions } from "./ingest-file.js";
import type { TableStore, WriteContext } from "./table-store.js";
import { compactSmallFiles } from "./compact.js";
import { withoutSourceRows } from "./file-rows.js";
import { InvariantError } from "./materialize.js";
import { quarantineTableOf, reconcileQuarantine } from "./quarantine-commit.js";
import { stageQuarantine } from "./quarantine.js";
import type { SchemaChange } from "./schema-policy.js";
import { MAX_RAW_CHARS, recordProblem, wellFormed } from "./ndjson.js";
import { scratchDir, scratchFile } from "./scratch.js";
import { parseTableName, pathList } from "./sql.js";

export interface IngestedFile {
  path: string;
  hash: string;
  rows: number;
  /** Rows that went to the quarantine table instead. */
  badRows: number;
  badRowSamples?: BadRowSample[];
  /** Set when the file could not be read at all. */
  error?: string;
  schemaChanges?: SchemaChange[];
  /** Set when this file was ingested before with other content: its earlier rows left the table. */
  replaced?: { rowsRemoved: number };
}

export interface IngestResult {
  table: string;
  version: TableVersion | null;
  ingested: IngestedFile[];
  skipped: string[];
  rowsIn: number;
  rowsOut: number;
  rowsBad: number;
  /** Where the bad rows are: `<table>__quarantine`. */
  quarantineTable?: string;
  schemaChanges: SchemaChange[];
  /** Rows of re-saved files' earlier content that left the table. */
  rowsRemoved?: number;
  /** One line per surprise a person should see: a file whose rows were all quarantined, a lost or new column. */
  warnings?: string[];
  /** Why no version was written although records came in (a pushed batch without one good record). */
  notCommitted?: string;
}

/** Why a pushed batch without one readable record wrote no version (plain and keyed pushes alike). */
export function notCommittedReason(rowsBad: number): string {
  return rowsBad
    ? `no version written: none of the ${rowsBad} records could be read (see the reasons per line); fix them and push again`
    : "no version written: the batch holds no records";
}

export interface IngestOptions extends SourceOptions {
  /** Who did it, kept in the manifest (default: $USER). */
  actor?: string;
}

export interface RecordsOptions {
  /** Idempotency key: a batch id already committed is skipped (a client retrying a POST adds nothing). */
  batchId?: string;
  /** Shown as _source_file, e.g. "http:/ingest/orders". */
  source?: string;
  schemaPolicy?: SourceOptions["schemaPolicy"];
}

export interface Source {
  abs: string;
  label: string;
  key: string;
  /** Content hash; a promise lets hashing a large new file overlap with reading it. */
  hash: string | Promise<string>;
  opts: SourceOptions;
  /** Rows known bad before reading (records that are not objects). */
  preQuarantine?: QuarantineRow[];
  /** A landing file: seen again with new content, its earlier rows are replaced (not appended to). */
  replaceOnChange?: boolean;
  /** A pushed batch: without one good record it commits nothing (the table's content would not change). */
  needsRows?: boolean;
}

const MAX_SAMPLES = 20;

export async function ingestFiles(lake: TableStore, table: string, files: string[], opts: IngestOptions = {}): Promise<IngestResult> {
  const checked = files.map((f) => {
    const abs = path.resolve(f);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
      throw new ValidationError(`source file ${f} does not exist or is not a file`, { path: f, hint: "check the path and glob" });
    }
    formatOf(abs, opts.format);
    return abs;
  });
  const sources: Source[] = checked.map((abs) => {
    const hash = sha256File(abs);
    hash.catch(() => undefined); // awaited below; a read error surfaces there
    return { abs, label: abs, key: path.relative(lake.root, abs), hash, opts, replaceOnChange: true };
  });
  return ingestSources(lake, table, sources, {}, opts.actor);
}

export async function ingestRecords(lake: TableStore, table: string, records: unknown[], opts: RecordsOptions = {}): Promise<IngestResult> {
  if (!Array.isArray(records)) throw new ValidationError("records must be an array of JSON objects", { path: "records" });
  return ingestBatch(lake, table, records.map((value, i) => ({ line: i + 1, value })), [], opts);
}

/** An NDJSON body (e.g. POST /ingest/<source>): each line one record; a line that is not a JSON object is
 *  quarantined with its line number, the rest are appended. */
export async function ingestNdjson(lake: TableStore, table: string, text: string, opts: RecordsOptions = {}): Promise<IngestResult> {
  const items: { line: number; value: unknown }[] = [];
  const bad: { line: number; reason: string; raw: string }[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!line.trim()) return;
    try {
      items.push({ line: i + 1, value: JSON.parse(line) });
    } catch (e) {
      bad.push({ line: i + 1, reason: `invalid JSON: ${(e as Error).message}`, raw: line.slice(0, MAX_RAW_CHARS) });
    }
  });
  return ingestBatch(lake, table, items, bad, opts);
}

async function ingestBatch(
  lake: TableStore, table: string, items: { line: number; value: unknown }[], bad: { line: number; reason: string; raw: string }[], opts: RecordsOptions,
): Promise<IngestResult> {
  const batchId = opts.batchId ?? randomUUID();
  const label = opts.source ?? `records:${batchId}`;
  parseTableName(table);
  const tmp = scratchFile(scratchDir(lake.root, table), "ndjson");
  const preQuarantine: QuarantineRow[] = bad.map((b) => ({ rule: "parse", reason: b.reason, source_file: label, line: b.line, raw: wellFormed(b.raw) }));
  const lines: string[] = [];
  for (const { line, value: r } of items) {
    // Records DuckDB would refuse (a lone surrogate, a NUL in a key) are set aside here, before any read.
    const problem = recordProblem(r);
    const text = JSON.stringify(r) ?? String(r);
    if (problem) preQuarantine.push({ rule: "parse", reason: problem, source_file: label, line, raw: wellFormed(text.slice(0, MAX_RAW_CHARS)) });
    else lines.push(text);
  }
  preQuarantine.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  fs.writeFileSync(tmp, lines.length ? lines.join("\n") + "\n" : "");
  try {
    return await ingestSources(lake, table, [{
      abs: tmp, label, key: `batch:${batchId}`, hash: sha256Text(batchId), preQuarantine, needsRows: true,
      opts: { format: "json", schemaPolicy: opts.schemaPolicy },
    }]);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Ingests prepared sources as one appended version; `extraInfo` is stored in the manifest (e.g. a cursor). */
export async function ingestSources(lake: TableStore, table: string, sources: Source[], extraInfo: Record<string, unknown> = {}, actor = actorOf()): Promise<IngestResult> {
  const result: IngestResult = { table, version: null, ingested: [], skipped: [], rowsIn: 0, rowsOut: 0, rowsBad: 0, schemaChanges: [], warnings: [] };
  const { manifest } = await lake.writeVersion(table, async (ctx) => {
    // A crash after an earlier main commit may have left its quarantine uncommitted: repair first.
    await reconcileQuarantine(lake, table);
    const seen = loadCheckpoint(lake.root, table, ctx.prev?.version ?? 0);
    const batchId = randomUUID();
    const ingestedAt = new Date().toISOString();
    const records: SourceFileRecord[] = [];
    const newFiles: string[] = [];
    const newRows: number[] = [];
    const quarantine: QuarantineRow[] = [];
    /** Re-saved landing files: their key and every label their earlier rows carry. */
    const resaved: { label: string; key: string; labels: Set<string> }[] = [];
    let schema = ctx.prev?.schema ?? null;
    // Paths ever ingested: a path never seen is new whatever its hash, so its hash need not be waited for.
    const seenPaths = new Set([...seen].map((k) => k.slice(0, k.lastIndexOf("#"))));
    for (const src of sources) {
      let hash: string | null = null;
      if (seenPaths.has(src.key)) {
        hash = await src.hash;
        if (seen.has(checkpointKey(src.key, hash))) {
          result.skipped.push(src.label);
          continue;
        }
        if (src.replaceOnChange) {
          resaved.push({ label: src.label, key: src.key, labels: await labelsOf(lake, table, src.key, src.label) });
          forgetHashes(seen, src.key);
        }
      }
      seenPaths.add(src.key);
      const out = ctx.newFile();
      const w = await writeSourceAsParquet(lake.duck, src.abs, table, schema, out.abs, {
        sourceFile: src.label, ingestedAt, batchId,
      }, src.opts);
      hash ??= await src.hash;
      seen.add(checkpointKey(src.key, hash));
      const bad = [...(src.preQuarantine ?? []), ...w.quarantine];
      if (w.written) {
        newFiles.push(out.rel);
        newRows.push(w.rows);
        // Later files in this batch are compared with the schema as it now stands.
        schema = await lake.duck.describe(
          `SELECT * FROM read_parquet(${pathList([...(ctx.prev?.files ?? []), ...newFiles].map((f) => path.join(lake.root, f)))}, union_by_name = true)`,
        );
      }
      quarantine.push(...bad);
      const rec: SourceFileRecord = { path: src.label, key: src.key, hash, rows: w.rows, badRows: bad.length };
      if (w.error) rec.error = w.error;
      records.push(rec);
      const samples = bad.slice(0, MAX_SAMPLES).map((q) => ({ line: q.line ?? 0, reason: q.reason }));
      warnFor(result.warnings!, table, src.label, w.rows, bad, w.schemaChanges);
      result.ingested.push({
        path: src.label, hash, rows: w.rows, badRows: bad.length,
        ...(samples.length ? { badRowSamples: samples } : {}),
        ...(w.error ? { error: w.error } : {}),
        ...(w.schemaChanges.length ? { schemaChanges: w.schemaChanges } : {}),
      });
      result.schemaChanges.push(...w.schemaChanges);
      result.rowsOut += w.rows;
      result.rowsBad += bad.length;
    }
    result.rowsIn = result.rowsOut + result.rowsBad;
    if (!records.length) return null;
    if (result.rowsOut === 0 && !resaved.length && sources.every((s) => s.needsRows)) {
      // A version equal to the current one, again on every retry: nothing is written, and the batch id is not
      // recorded, so the fixed batch can be pushed again under it. The reasons are in the result's samples.
      result.notCommitted = notCommittedReason(result.rowsBad);
      result.warnings!.push(result.notCommitted);
      return null;
    }
    const q = await stageQuarantine(lake.duck, ctx, table, quarantine, { batchId, at: ingestedAt });
    if (q.rows) result.quarantineTable = quarantineTableOf(table);
    // The invariant, against what the files actually hold (not what the readers said).
    const stored = (await lake.parquetRows(newFiles)) + (await lake.parquetRows(q.files));
    if (stored !== result.rowsIn) {
      throw new InvariantError(`${table}: rows_in ${result.rowsIn} != rows_out ${result.rowsOut} + rows_quarantined ${result.rowsBad} (files hold ${stored})`);
    }
    // A re-saved file's earlier rows leave in the same version its new rows come in (only the previous files are
    // filtered: the new rows carry the same label).
    const base = await withoutSourceRows(lake, ctx, { files: ctx.prev?.files ?? [], fileRows: ctx.prev?.fileRows ?? [] }, resaved.flatMap((r) => [...r.labels]));
    const replaced = await replacedCounts(lake, ctx, resaved, result);
    const all = { files: [...base.files, ...newFiles], fileRows: [...base.fileRows, ...newRows] };
    const compacted = await compactSmallFiles(lake, ctx, all.files, all.fileRows);
    return {
      files: compacted?.files ?? all.files,
      fileRows: compacted?.fileRows ?? all.fileRows,
      operation: replaced.length ? "replace" : "append",
      parents: ctx.prev ? [{ table, version: ctx.prev.version }] : [],
      info: {
        ...extraInfo, batchId, ingestedAt, sourceFiles: records, rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsQuarantined: result.rowsBad,
        quarantine: q, ...(result.schemaChanges.length ? { schemaChanges: result.schemaChanges } : {}),
        ...(replaced.length ? { replaced, rowsRemoved: base.removed, actor } : {}),
        ...(result.warnings!.length ? { warnings: result.warnings } : {}),
        ...(compacted ? { compacted: compacted.folded } : {}),
      },
      afterCommit: async (m) => {
        saveCheckpoint(lake.root, table, m.version, seen);
        // A re-read file's earlier quarantine lines leave now, even when its new content sets none aside.
        if (q.rows || replaced.length) await reconcileQuarantine(lake, table);
      },
    };
  });
  result.version = manifest;
  return result;
}

/** Who is acting, for the audit fields of a manifest: $USER, or "unknown". */
export const actorOf = (given?: string) => (given?.trim() || process.env.USER || process.env.USERNAME || "unknown").slice(0, 200);

/** Every label the rows of source `key` were ingested under (the path at the time; a moved project has two). */
async function labelsOf(lake: TableStore, table: string, key: string, label: string): Promise<Set<string>> {
  const labels = new Set([label]);
  for (const v of await lake.history(table)) {
    for (const s of (v.info?.sourceFiles ?? []) as SourceFileRecord[]) if (s.key === key) labels.add(s.path);
  }
  return labels;
}

/** Rows removed per re-saved file (counted before they leave), recorded on each file's result. */
async function replacedCounts(
  lake: TableStore, ctx: WriteContext, resaved: { label: string; key: string; labels: Set<string> }[], result: IngestResult,
): Promise<{ file: string; key: string; labels: string[]; rowsRemoved: number; rowsAdded: number }[]> {
  const out: { file: string; key: string; labels: string[]; rowsRemoved: number; rowsAdded: number }[] = [];
  if (!resaved.length) return out;
  const files = (ctx.prev?.files ?? []).map((f) => path.join(lake.root, f));
  const counts = files.length
    ? await lake.duck.rows(`SELECT _source_file AS s, count(*) AS n FROM read_parquet(${pathList(files)}, union_by_name = true) GROUP BY _source_file`).catch(() => [])
    : [];
  const byLabel = new Map(counts.map((c) => [String(c.s), Number(c.n)]));
  for (const r of resaved) {
    const removed = [...r.labels].reduce((a, l) => a + (byLabel.get(l) ?? 0), 0);
    const f = result.ingested.find((i) => i.path === r.label);
    if (f) f.replaced = { rowsRemoved: removed };
    out.push({ file: r.label, key: r.key, labels: [...r.labels], rowsRemoved: removed, rowsAdded: f?.rows ?? 0 });
  }
  result.rowsRemoved = out.reduce((a, r) => a + r.rowsRemoved, 0);
  return out;
}

/** Warnings for one ingested file: all its rows quarantined, or columns it lacks or adds compared with the table. */
export function warnFor(out: string[], table: string, label: string, rows: number, bad: QuarantineRow[], changes: SchemaChange[]): void {
  if (rows === 0 && bad.length > 0) out.push(`${label}: all ${bad.length} rows were quarantined (first: line ${bad[0].line ?? "?"}: ${bad[0].reason.slice(0, 200)})`);
  const lost = changes.filter((c) => c.change === "missing").map((c) => c.column);
  const gained = changes.filter((c) => c.change === "added").map((c) => c.column);
  if (lost.length) out.push(`${label}: lacks column${lost.length > 1 ? "s" : ""} ${lost.join(", ")} of ${table} (read as NULL)`);
  if (gained.length) out.push(`${label}: has new column${gained.length > 1 ? "s" : ""} ${gained.join(", ")} not in ${table}`);
}
