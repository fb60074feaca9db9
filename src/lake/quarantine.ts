// The <table>__quarantine tables: rows that could not be read or broke a row-level rule, with the rule, the
// reason, the source file and line. Their data files are named by the main table's commit, so a row is either
// in the table or in its quarantine — and a crash between the two commits is repaired on the next write.
import fs from "node:fs";
import type { Duck } from "./duck.js";
import type { QuarantineRow } from "./ingest-file.js";
import { wellFormed } from "./ndjson.js";
import { scratchBeside } from "./scratch.js";
import { lit } from "./sql.js";

export const quarantineTableOf = (table: string) => `${table}__quarantine`;
export const isQuarantineTable = (table: string) => table.endsWith("__quarantine");

/**
 * What a main table's manifest says about the rows it set aside in this commit; on a revert (`whole`), the whole
 * quarantine of the version it went back to, which the quarantine table takes instead of adding to what it holds.
 */
export interface QuarantineInfo {
  files: string[];
  fileRows: number[];
  rows: number;
  whole?: true;
}

const COLUMNS = "{'rule': 'VARCHAR', 'reason': 'VARCHAR', 'source_file': 'VARCHAR', 'line': 'BIGINT', 'raw': 'VARCHAR'}";

/** Writes quarantine rows as one Parquet file, stamped with the batch and the main table version. */
export async function writeQuarantineFile(
  duck: Duck, rows: QuarantineRow[], stamp: { batchId: string; at: string; tableVersion: number }, outAbs: string,
): Promise<number> {
  const tmp = scratchBeside(outAbs, "ndjson");
  // Text is made well-formed first: a lone surrogate in a raw line would make DuckDB refuse the whole file.
  const text = (v: string | null) => (v === null ? null : wellFormed(v));
  fs.writeFileSync(tmp, rows.map((r) => JSON.stringify({ ...r, reason: text(r.reason), raw: text(r.raw), source_file: text(r.source_file) })).join("\n") + "\n");
  try {
    return await duck.run(
      `COPY (SELECT *, ${stamp.tableVersion}::BIGINT AS table_version, ${lit(stamp.batchId)} AS _batch_id,
              CAST(${lit(stamp.at.replace("Z", ""))} AS TIMESTAMP) AS _quarantined_at
            FROM read_json(${lit(tmp)}, format = 'newline_delimited', columns = ${COLUMNS})) TO ${lit(outAbs)} (FORMAT parquet)`,
    );
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * The quarantine part of a version being written: the bad rows in one file of `<table>__quarantine` (none when there
 * are no bad rows), as the manifest records it.
 */
export async function stageQuarantine(
  duck: Duck, ctx: { version: number; newFile(forTable?: string): { rel: string; abs: string } }, table: string, rows: QuarantineRow[], batch: { batchId: string; at: string },
): Promise<QuarantineInfo> {
  if (!rows.length) return { files: [], fileRows: [], rows: 0 };
  const qf = ctx.newFile(quarantineTableOf(table));
  const n = await writeQuarantineFile(duck, rows, { batchId: batch.batchId, at: batch.at, tableVersion: ctx.version }, qf.abs);
  return { files: [qf.rel], fileRows: [n], rows: n };
}

