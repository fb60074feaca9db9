// Commits a batch of a keyed source (landing files with a key, a PostgreSQL table with a key) as one new bronze
// version holding one current row per key: updates replace, deletes leave as tombstones, reruns change nothing.
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { ValidationError } from "../errors.js";
import type { ColumnSchema } from "../records.js";
import { checkpointKey, forgetHashes, loadCheckpoint, saveCheckpoint, type SourceFileRecord } from "./checkpoint.js";
import { writeSourceAsParquet, type FileWriteResult, type QuarantineRow } from "./ingest-file.js";
import type { IngestResult, Source } from "./ingest.js";
import { classifyKeyed, type RowChanges } from "./keyed-classify.js";
import { stageBatch } from "./keyed-stage.js";
import { rewriteByKey } from "./keyed-rewrite.js";
import type { Lake, VersionDraft } from "./lake.js";
import { InvariantError } from "./materialize.js";
import { notCommittedReason, warnFor } from "./ingest.js";
import { quarantineTableOf, reconcileQuarantine } from "./quarantine-commit.js";
import { stageQuarantine } from "./quarantine.js";
import { LINEAGE_COLUMNS, type SchemaChange } from "./schema-policy.js";
import { ident, lit, pathList } from "./sql.js";

export type { RowChanges } from "./keyed-classify.js";

export interface KeyedOptions {
  key: string[];
  /** A column marking a row as a delete of its key (true/false); it is not stored. */
  deleteColumn?: string;
  /** The last source of the batch is the whole truth: current keys absent from it are deleted. */
  snapshot?: boolean;
  /** NDJSON file of every key that exists at the source (a key scan), read with these column types. */
  presentKeys?: { abs: string; columns: Record<string, string> };
  /** Remember each source by path + content hash so it is read once (files); off for re-read sources (PostgreSQL). */
  remember?: boolean;
  /** Stored in the manifest info (e.g. the cursor). */
  info?: Record<string, unknown>;
  /** A push: a batch without one readable record writes no version and is not remembered, so it can be fixed and
   *  pushed again under its batch id (the reason is in `notCommitted`). */
  refuseWithoutRows?: boolean;
}

export interface KeyedIngestResult extends IngestResult {
  key: string[];
  changes: RowChanges;
  /** Why deletes by absence were not applied this time (a snapshot with rows it could not read). */
  deletesSkipped?: string;
}

export async function commitKeyed(lake: Lake, table: string, sources: Source[], opts: KeyedOptions): Promise<KeyedIngestResult> {
  if (!opts.key.length) throw new ValidationError(`a keyed source for ${table} needs at least one key column`, { path: "key", hint: "e.g. key: [id]" });
  const result: KeyedIngestResult = {
    table, version: null, ingested: [], skipped: [], rowsIn: 0, rowsOut: 0, rowsBad: 0, schemaChanges: [], key: opts.key,
    changes: { inserted: 0, updated: 0, deleted: 0, unchanged: 0 },
  };
  const { manifest } = await lake.writeVersion(table, async (ctx) => {
    await reconcileQuarantine(lake, table);
    const seen = opts.remember ? loadCheckpoint(lake.root, table, ctx.prev?.version ?? 0) : new Set<string>();
    const batchId = randomUUID();
    const ingestedAt = new Date().toISOString();
    const records: SourceFileRecord[] = [];
    const staged: { rel: string; label: string; bad: number }[] = [];
    const quarantine: QuarantineRow[] = [];
    // The delete flag is planned as a BOOLEAN column of the table, so 0/1 and "true"/"false" files cast into it.
    const flag: ColumnSchema[] = opts.deleteColumn ? [{ name: opts.deleteColumn, type: "BOOLEAN", nullable: true }] : [];
    let schema: ColumnSchema[] | null = ctx.prev ? [...ctx.prev.schema, ...flag] : null;
    const seenPaths = new Set([...seen].map((k) => k.slice(0, k.lastIndexOf("#"))));
    const replaced: { file: string; key: string }[] = [];
    for (const src of sources) {
      const hash = await src.hash;
      if (seen.has(checkpointKey(src.key, hash))) {
        result.skipped.push(src.label);
        continue;
      }
      // A file saved again under its name replaces its rows: keys it no longer holds leave with it. Only its newest
      // content counts as read (as for appended sources), so saving older content back is a change again.
      if (seenPaths.has(src.key)) {
        replaced.push({ file: src.label, key: src.key });
        forgetHashes(seen, src.key);
      }
      seen.add(checkpointKey(src.key, hash));
      const out = ctx.newFile();
      const write = (plan: ColumnSchema[] | null) => writeSourceAsParquet(lake.duck, src.abs, table, plan, out.abs, { sourceFile: src.label, ingestedAt, batchId }, src.opts);
      const w = await writeFlagTolerant(write, schema, opts.deleteColumn);
      const bad = [...(src.preQuarantine ?? []), ...w.quarantine];
      if (w.written) {
        staged.push({ rel: out.rel, label: src.label, bad: bad.length });
        schema = await lake.duck.describe(`SELECT * FROM ${readFiles(lake, [...(ctx.prev?.files ?? []), ...staged.map((s) => s.rel)])}`);
      } else staged.push({ rel: "", label: src.label, bad: bad.length });
      quarantine.push(...bad);
      const changes = w.schemaChanges.filter((c) => c.column !== opts.deleteColumn);
      records.push({ path: src.label, key: src.key, hash, rows: w.rows, badRows: bad.length, ...(w.error ? { error: w.error } : {}) });
      result.ingested.push({
        path: src.label, hash, rows: w.rows, badRows: bad.length,
        ...(bad.length ? { badRowSamples: bad.slice(0, 20).map((q) => ({ line: q.line ?? 0, reason: q.reason })) } : {}),
        ...(w.error ? { error: w.error } : {}),
        ...(changes.length ? { schemaChanges: changes } : {}),
      });
      result.schemaChanges.push(...changes);
      result.rowsOut += w.rows;
      result.rowsBad += bad.length;
      warnFor((result.warnings ??= []), table, src.label, w.rows, bad, changes);
    }
    if (!records.length && !opts.presentKeys) return null;
    if (opts.refuseWithoutRows && result.rowsOut === 0 && !replaced.length) {
      result.notCommitted = notCommittedReason(result.rowsBad);
      (result.warnings ??= []).push(result.notCommitted);
      return null;
    }
    const draft = async (files: string[], fileRows: number[], deduplicated: number | null): Promise<VersionDraft> => {
      const q = await stageQuarantine(lake.duck, ctx, table, quarantine, { batchId, at: ingestedAt });
      if (q.rows) result.quarantineTable = quarantineTableOf(table);
      return {
        files,
        fileRows,
        operation: "upsert",
        parents: ctx.prev ? [{ table, version: ctx.prev.version }] : [],
        info: {
          ...opts.info, key: opts.key, batchId, ingestedAt, ...(opts.remember ? { sourceFiles: records } : {}), ...(replaced.length ? { replaced } : {}),
          rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsQuarantined: result.rowsBad, quarantine: q,
          ...result.changes, tombstones: result.changes.deleted, ...(deduplicated ? { deduplicated } : {}),
          ...(result.deletesSkipped ? { deletesSkipped: result.deletesSkipped } : {}),
          ...(result.schemaChanges.length ? { schemaChanges: result.schemaChanges } : {}),
          ...(result.warnings?.length ? { warnings: result.warnings } : {}),
        },
        afterCommit: async (m) => {
          if (opts.remember) saveCheckpoint(lake.root, table, m.version, seen);
          // A re-read file's earlier quarantine lines leave now, even when its new content sets none aside.
          if (q.rows || replaced.length) await reconcileQuarantine(lake, table);
        },
      };
    };
    // Snapshot: only the last source counts (a later full picture supersedes an earlier one in the same batch).
    const last = staged[staged.length - 1];
    const use = opts.snapshot ? (last ? [last] : []) : staged;
    let deletesSkipped: string | undefined;
    if (opts.snapshot && last && last.bad > 0) deletesSkipped = `${last.label} had ${last.bad} row(s) that could not be read, so absent keys were not deleted`;
    const tag = randomBytes(4).toString("hex");
    const stagedTable = `keyed_stage_${tag}`;
    const present = `keyed_present_${tag}`;
    const files = use.filter((s) => s.rel);
    try {
      // A table appended before its source had a key may hold a key twice: checked once, on the first keyed commit.
      const cur = ctx.prev ? lake.relation({ table, version: ctx.prev.version }) : null;
      const st = await stageBatch(lake, stagedTable, {
        table, key: opts.key, files: files.map((s) => s.rel), schema, ...(opts.deleteColumn ? { deleteColumn: opts.deleteColumn } : {}),
        ...(cur && !ctx.prev!.info?.key ? { duplicatesIn: cur } : {}),
      });
      quarantine.push(...(st?.nullKeys ?? []));
      result.rowsOut -= st?.nullKeys.length ?? 0;
      result.rowsBad += st?.nullKeys.length ?? 0;
      result.rowsIn = result.rowsOut + result.rowsBad;
      if (!st) {
        // Nothing readable and no table yet: only the files (and their quarantined rows) are recorded.
        if (!quarantine.length && !(opts.remember && records.length)) return null;
        return draft(ctx.prev?.files ?? [], ctx.prev?.fileRows ?? [], null);
      }
      let presentRel: string | undefined;
      if (opts.presentKeys) {
        const declared = Object.entries(opts.presentKeys.columns).map(([k, t]) => `${lit(k)}: ${lit(t)}`).join(", ");
        await lake.duck.run(`CREATE TEMP TABLE ${present} AS SELECT * FROM read_json(${lit(opts.presentKeys.abs)}, format = 'newline_delimited', columns = {${declared}})`);
        presentRel = present;
      } else if (opts.snapshot && last && !deletesSkipped) presentRel = stagedTable;
      result.deletesSkipped = deletesSkipped;
      const cls = await classifyKeyed(lake, {
        key: opts.key, staged: stagedTable, stagedColumns: st.columns,
        current: cur ? { relation: cur, schema: ctx.prev!.schema } : null,
        ...(presentRel ? { present: presentRel } : {}),
        ...(replaced.length && !opts.snapshot ? { replaced: replaced.map((r) => r.file) } : {}),
      });
      try {
        const { dropKeys, newPart, ...counts } = cls;
        result.changes = { inserted: counts.inserted, updated: counts.updated, deleted: counts.deleted, unchanged: counts.unchanged };
        const changed = counts.inserted + counts.updated + counts.deleted + counts.deduplicated > 0;
        if (!changed && !quarantine.length && !(opts.remember && records.length)) return null;
        const w = changed
          ? await rewriteByKey(lake, ctx, opts.key, dropKeys, newPart)
          : { files: ctx.prev?.files ?? [], fileRows: ctx.prev?.fileRows ?? [] };
        // The invariant, against the file footers: what was current, less the rows that left, plus the rows that came.
        const expected = (ctx.prev?.rowCount ?? 0) - counts.rowsDropped + counts.rowsAdded;
        const stored = await lake.parquetRows(w.files);
        if (stored !== expected) {
          throw new InvariantError(`${table}: keyed commit holds ${stored} rows, expected ${expected} (${ctx.prev?.rowCount ?? 0} - ${counts.rowsDropped} + ${counts.rowsAdded})`);
        }
        return draft(w.files, w.fileRows, counts.deduplicated);
      } finally {
        await cls.drop();
      }
    } finally {
      await lake.duck.run(`DROP TABLE IF EXISTS ${stagedTable}; DROP TABLE IF EXISTS ${present}`);
    }
  });
  result.version = manifest;
  return result;
}

/**
 * Under schema_policy fail, the delete flag is no schema change: a file may lack it or type it its own way (it is
 * read with TRY_CAST and never stored). Such a refusal is retried with the flag planned as the file has it.
 */
async function writeFlagTolerant(
  write: (plan: ColumnSchema[] | null) => Promise<FileWriteResult>, schema: ColumnSchema[] | null, flag: string | undefined,
): Promise<FileWriteResult> {
  let plan = schema;
  for (let attempt = 0; ; attempt++) {
    try {
      return await write(plan);
    } catch (e) {
      const changes = e instanceof ValidationError ? (e.details.changes as SchemaChange[] | undefined) : undefined;
      const c = changes?.length === 1 && changes[0].column === flag ? changes[0] : undefined;
      if (!c || !plan || attempt >= 2 || (c.change !== "missing" && c.change !== "type_changed")) throw e;
      plan = c.change === "missing" ? plan.filter((p) => p.name !== flag) : plan.map((p) => (p.name === flag ? { ...p, type: c.to! } : p));
    }
  }
}

const readFiles = (lake: Lake, files: string[]) => `read_parquet(${pathList(files.map((f) => path.join(lake.root, f)))}, union_by_name = true)`;
