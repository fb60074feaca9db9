// The lakehouse: the commit kernel (table-store.ts) and the operations that write tables (ingest, materialize, merge,
// SCD), behind one Lake — the one entry point of lake/. The operations take the kernel, so nothing here imports back.
import fs from "node:fs";
import path from "node:path";
import { Duck } from "./duck.js";
import { ingestFiles, ingestNdjson, ingestRecords, type IngestOptions, type IngestResult, type RecordsOptions } from "./ingest.js";
import { materialize, type MaterializeOptions, type MaterializeResult } from "./materialize.js";
import { merge, type MergeOptions, type MergeResult } from "./merge.js";
import { scd1, scd2, type ScdOptions, type ScdResult } from "./scd.js";
import { TableStore, type LakeOptions } from "./table-store.js";

export type { IngestedFile, IngestResult, IngestOptions, RecordsOptions } from "./ingest.js";
export type { MaterializeResult, MaterializeOptions, RowRule } from "./materialize.js";
export type { MergeOptions, MergeResult } from "./merge.js";
export type { ScdOptions, ScdResult } from "./scd.js";
export { TableStore, type Audit, type LakeOptions, type VersionDraft, type WriteContext } from "./table-store.js";

export class Lake extends TableStore {
  static async open(root: string, options: LakeOptions = {}): Promise<Lake> {
    const abs = path.resolve(root);
    fs.mkdirSync(path.join(abs, "tables"), { recursive: true });
    return new Lake(abs, await Duck.open(), options);
  }

  /** Append files (CSV, Parquet, JSON/NDJSON) to a bronze table; each file path+content is ingested once. */
  ingestFiles(table: string, files: string[], opts: IngestOptions = {}): Promise<IngestResult> {
    return ingestFiles(this, table, files, opts);
  }

  /** Append a micro-batch of JSON records (e.g. an HTTP NDJSON push); a repeated batchId is skipped. */
  ingestRecords(table: string, records: unknown[], opts: RecordsOptions = {}): Promise<IngestResult> {
    return ingestRecords(this, table, records, opts);
  }

  /** Append an NDJSON body (one JSON object a line); malformed lines go to quarantine with their line numbers. */
  ingestNdjson(table: string, text: string, opts: RecordsOptions = {}): Promise<IngestResult> {
    return ingestNdjson(this, table, text, opts);
  }

  /** Materialize a SELECT as a new full version; reused when the cache key equals the current version's. */
  materialize(table: string, selectSql: string, opts: MaterializeOptions): Promise<MaterializeResult> {
    return materialize(this, table, selectSql, opts);
  }

  /** MERGE a source SELECT into `table` on a key: matched rows updated/deleted, new rows inserted. */
  merge(table: string, sourceSql: string, opts: MergeOptions): Promise<MergeResult> {
    return merge(this, table, sourceSql, opts);
  }

  /** Slowly changing dimension type 2 (history rows with valid_from / valid_to / is_current). */
  scd2(table: string, sourceSql: string, opts: ScdOptions): Promise<ScdResult> {
    return scd2(this, table, sourceSql, opts);
  }

  /** Slowly changing dimension type 1 (overwrite in place when a tracked column changed). */
  scd1(table: string, sourceSql: string, opts: Omit<ScdOptions, "strategy" | "updatedAt" | "invalidateHardDeletes">): Promise<ScdResult> {
    return scd1(this, table, sourceSql, opts);
  }
}
