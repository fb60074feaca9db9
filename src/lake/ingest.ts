// Appends source files and record batches to bronze tables: each source exactly once (by path + content hash,
// or by batch id), malformed rows to the quarantine, rows_in = rows_out + rows_quarantined checked per commit.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors.js";
import type { TableVersion } from "../records.js";
import { checkpointKey, loadCheckpoint, saveCheckpoint, type SourceFileRecord } from "./checkpoint.js";
import { sha256File, sha256Text } from "./hash.js";
import { formatOf, writeSourceAsParquet, type BadRowSample, type QuarantineRow, type SourceOptions } from "./ingest-file.js";
import type { Lake } from "./lake.js";
import { InvariantError } from "./materialize.js";
import { quarantineTableOf, reconcileQuarantine } from "./quarantine-commit.js";
import { writeQuarantineFile, type QuarantineInfo } from "./quarantine.js";
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
}

export type IngestOptions = SourceOptions;

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
}

const MAX_SAMPLES = 20;

export async function ingestFiles(lake: Lake, table: string, files: string[], opts: IngestOptions = {}): Promise<IngestResult> {
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
    return { abs, label: abs, key: path.relative(lake.root, abs), hash, opts };
  });
  return ingestSources(lake, table, sources);
}

export async function ingestRecords(lake: Lake, table: string, records: unknown[], opts: RecordsOptions = {}): Promise<IngestResult> {
  if (!Array.isArray(records)) throw new ValidationError("records must be an array of JSON objects", { path: "records" });
  return ingestBatch(lake, table, records.map((value, i) => ({ line: i + 1, value })), [], opts);
}

/** An NDJSON body (e.g. POST /ingest/<source>): each line one record; a line that is not a JSON object is
 *  quarantined with its line number, the rest are appended. */
export async function ingestNdjson(lake: Lake, table: string, text: string, opts: RecordsOptions = {}): Promise<IngestResult> {
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
  lake: Lake, table: string, items: { line: number; value: unknown }[], bad: { line: number; reason: string; raw: string }[], opts: RecordsOptions,
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
      abs: tmp, label, key: `batch:${batchId}`, hash: sha256Text(batchId), preQuarantine,
      opts: { format: "json", schemaPolicy: opts.schemaPolicy },
    }]);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Ingests prepared sources as one appended version; `extraInfo` is stored in the manifest (e.g. a cursor). */
export async function ingestSources(lake: Lake, table: string, sources: Source[], extraInfo: Record<string, unknown> = {}): Promise<IngestResult> {
  const result: IngestResult = { table, version: null, ingested: [], skipped: [], rowsIn: 0, rowsOut: 0, rowsBad: 0, schemaChanges: [] };
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
    let q: QuarantineInfo = { files: [], fileRows: [], rows: 0 };
    if (quarantine.length) {
      const qf = ctx.newFile(quarantineTableOf(table));
      const n = await writeQuarantineFile(lake.duck, quarantine, { batchId, at: ingestedAt, tableVersion: ctx.version }, qf.abs);
      q = { files: [qf.rel], fileRows: [n], rows: n };
      result.quarantineTable = quarantineTableOf(table);
    }
    // The invariant, against what the files actually hold (not what the readers said).
    const stored = (await lake.parquetRows(newFiles)) + (await lake.parquetRows(q.files));
    if (stored !== result.rowsIn) {
      throw new InvariantError(`${table}: rows_in ${result.rowsIn} != rows_out ${result.rowsOut} + rows_quarantined ${result.rowsBad} (files hold ${stored})`);
    }
    return {
      files: [...(ctx.prev?.files ?? []), ...newFiles],
      fileRows: [...(ctx.prev?.fileRows ?? []), ...newRows],
      operation: "append",
      parents: ctx.prev ? [{ table, version: ctx.prev.version }] : [],
      info: {
        ...extraInfo, batchId, ingestedAt, sourceFiles: records, rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsQuarantined: result.rowsBad,
        quarantine: q, ...(result.schemaChanges.length ? { schemaChanges: result.schemaChanges } : {}),
      },
      afterCommit: async (m) => {
        saveCheckpoint(lake.root, table, m.version, seen);
        if (q.rows) await reconcileQuarantine(lake, table);
      },
    };
  });
  result.version = manifest;
  return result;
}
