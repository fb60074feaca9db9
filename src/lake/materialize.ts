// Materializes a SELECT as a full new version of a table, optionally moving rows that break row-level rules to
// the table's quarantine, with rows_in = rows_out + rows_quarantined checked against the written files.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { MillraceError, ValidationError } from "../errors.js";
import type { TableRef, TableVersion } from "../records.js";
import type { TableStore } from "./table-store.js";
import { quarantineTableOf, reconcileQuarantine } from "./quarantine-commit.js";
import { ident, lit } from "./sql.js";
import { tableDir } from "./table-log.js";

/** A row-level rule as SQL: rows where `failWhere` is true go to quarantine with `reason`. */
export interface RowRule {
  rule: string;
  failWhere: string;
  reason: string;
}

export interface MaterializeOptions {
  parents: TableRef[];
  cacheKey?: string;
  /** Rows failing any of these are quarantined instead of written. */
  rowRules?: RowRule[];
  operation?: string;
}

export interface MaterializeResult {
  version: TableVersion;
  reused: boolean;
  rowsIn?: number;
  rowsQuarantined?: number;
}

export class InvariantError extends MillraceError {
  constructor(message: string) {
    super("invariant_violated", message, { hint: "nothing was committed; this is a bug in Millrace, please report it" });
  }
}

/**
 * A final ';' would end the statement inside COPY (...): drop it, with trailing blank and comment-only lines and a
 * "; -- note" tail. (The newlines around the SQL in COPY keep any other final -- comment harmless.)
 */
export function stripTrailingSemicolons(sql: string): string {
  const lines = sql.split("\n");
  while (lines.length && /^\s*(--.*)?$/.test(lines[lines.length - 1])) lines.pop();
  if (!lines.length) return "";
  lines[lines.length - 1] = lines[lines.length - 1].replace(/;\s*--[^'"]*$/, "").replace(/[\s;]+$/, "");
  return lines.join("\n");
}

function sqlFailure(table: string, e: unknown): ValidationError {
  return new ValidationError(`could not materialize ${table}: ${(e as Error).message.split("\n")[0]}`, {
    path: table,
    hint: "check the model's SQL; run it with `millrace query` to see the full error",
  });
}

export async function materialize(lake: TableStore, table: string, selectSql: string, opts: MaterializeOptions): Promise<MaterializeResult> {
  const rules = opts.rowRules ?? [];
  let counts = { rowsIn: 0, rowsQuarantined: 0 };
  const { manifest, reused } = await lake.writeVersion(table, async (ctx) => {
    if (ctx.prev && opts.cacheKey !== undefined && ctx.prev.cacheKey === opts.cacheKey) return { reuse: ctx.prev };
    const sql = `(\n${stripTrailingSemicolons(selectSql)}\n)`;
    const out = ctx.newFile();
    // A table that once had a quarantine gets it emptied by a rebuild without rules.
    const hadQuarantine = fs.existsSync(path.join(tableDir(lake.root, quarantineTableOf(table)), "_log"));
    if (!rules.length) {
      let rows: number;
      try {
        rows = await lake.duck.run(`COPY ${sql} TO ${lit(out.abs)} (FORMAT parquet)`);
      } catch (e) {
        throw sqlFailure(table, e);
      }
      counts = { rowsIn: rows, rowsQuarantined: 0 };
      return {
        files: [out.rel], fileRows: [rows], operation: opts.operation ?? "overwrite", parents: opts.parents, cacheKey: opts.cacheKey,
        ...(hadQuarantine ? { afterCommit: () => reconcileQuarantine(lake, table) } : {}),
      };
    }
    // Stage once so the rules, the kept rows and the quarantined rows all see the same rows.
    const staged = `staged_${randomBytes(4).toString("hex")}`;
    try {
      await lake.duck.run(`CREATE TEMP TABLE ${staged} AS SELECT * FROM ${sql}`);
    } catch (e) {
      throw sqlFailure(table, e);
    }
    try {
      const anyFail = rules.map((r) => `coalesce((${r.failWhere}), false)`).join(" OR ");
      const rowsOut = await lake.duck.run(`COPY (SELECT * FROM ${staged} WHERE NOT (${anyFail})) TO ${lit(out.abs)} (FORMAT parquet)`);
      const cols = (await lake.duck.describe(`SELECT * FROM ${staged}`)).map((c) => c.name);
      const sourceFile = cols.includes("_source_file") ? ident("_source_file") : "NULL";
      const q = ctx.newFile(quarantineTableOf(table));
      // Each failing row is quarantined once, under the first rule it breaks.
      const firstOf = (pick: (r: RowRule) => string) =>
        `CASE ${rules.map((r) => `WHEN coalesce((${r.failWhere}), false) THEN ${pick(r)}`).join(" ")} END`;
      const quarantined = await lake.duck.run(
        `COPY (SELECT ${firstOf((r) => lit(r.rule))} AS rule, ${firstOf((r) => r.reason)} AS reason,
                 CAST(${sourceFile} AS VARCHAR) AS source_file, NULL::BIGINT AS line, CAST(to_json(s) AS VARCHAR) AS raw,
                 ${ctx.version}::BIGINT AS table_version, NULL::VARCHAR AS _batch_id, now()::TIMESTAMP AS _quarantined_at
               FROM ${staged} s WHERE ${anyFail})
         TO ${lit(q.abs)} (FORMAT parquet)`,
      );
      if (!quarantined) fs.rmSync(q.abs, { force: true });
      const [{ n }] = await lake.duck.rows(`SELECT count(*) AS n FROM ${staged}`);
      const rowsIn = Number(n);
      const stored = (await lake.parquetRows([out.rel])) + (quarantined ? await lake.parquetRows([q.rel]) : 0);
      if (rowsIn !== rowsOut + quarantined || stored !== rowsIn) {
        throw new InvariantError(`${table}: rows_in ${rowsIn} != rows_out ${rowsOut} + rows_quarantined ${quarantined} (files hold ${stored})`);
      }
      counts = { rowsIn, rowsQuarantined: quarantined };
      return {
        files: [out.rel],
        fileRows: [rowsOut],
        operation: opts.operation ?? "overwrite",
        parents: opts.parents,
        cacheKey: opts.cacheKey,
        info: {
          rowsIn, rowsOut, rowsQuarantined: quarantined,
          quarantine: { files: quarantined ? [q.rel] : [], fileRows: quarantined ? [quarantined] : [], rows: quarantined },
        },
        afterCommit: () => reconcileQuarantine(lake, table),
      };
    } finally {
      await lake.duck.run(`DROP TABLE IF EXISTS ${staged}`);
    }
  });
  return { version: manifest!, reused, ...(reused ? {} : counts) };
}
