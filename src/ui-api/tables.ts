// The lake for the dashboard: tables at their current versions, one table's schema and history, a column
// profile of any version (histograms, top values), the first rows of a version, and the diff of two versions.
import type { Context, Hono } from "hono";
import { ValidationError } from "../errors.js";
import { diffTable, listLakeTables, profileOf, tableHistory } from "../lake/commands.js";
import type { Lake } from "../lake/lake.js";
import type { TableRef, TableVersion } from "../records.js";
import type { UiData } from "./data.js";
import { handle, intParam, notFound, optionalInt } from "./http.js";
import type { TableDetail, TablePreview, TableRow } from "./types.js";

const LAYER_ORDER = ["bronze", "silver", "gold"];
const layerRank = (layer: string) => (LAYER_ORDER.includes(layer) ? LAYER_ORDER.indexOf(layer) : LAYER_ORDER.length);

/** The table named in the path, checked before it reaches the file system. */
function tableParam(c: Context): string {
  const table = c.req.param("table") ?? "";
  if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new ValidationError(`"${table}" is not a table name`, { path: "table", hint: "write <layer>.<name>, e.g. silver.customers" });
  }
  return table;
}

async function currentOr404(lake: Lake, table: string): Promise<TableVersion> {
  const cur = await lake.current(table);
  if (!cur) throw notFound(`no table ${table}`, "list the tables with: millrace tables (run the pipeline to build them)");
  return cur;
}

/** ?version=N of the table (checked to exist), or its current version. */
async function versionRef(c: Context, lake: Lake, table: string): Promise<TableRef> {
  const cur = await currentOr404(lake, table);
  const version = optionalInt(c, "version", 1) ?? cur.version;
  await existing(lake, table, version);
  return { table, version };
}

async function existing(lake: Lake, table: string, version: number): Promise<void> {
  const versions = (await lake.history(table)).map((v) => v.version);
  if (!versions.includes(version)) {
    throw notFound(`${table} has no version ${version}`, `versions: ${versions.join(", ") || "none"} (vacuum removes old ones)`);
  }
}

export function tablesRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/tables",
    handle(async (): Promise<TableRow[]> => {
      const rows = (await listLakeTables(await data.lake())).map((t) => ({ ...t, layer: t.table.split(".")[0] }));
      return rows.sort((a, b) => layerRank(a.layer) - layerRank(b.layer) || a.table.localeCompare(b.table));
    }, log),
  );

  api.get(
    "/tables/:table",
    handle(async (c): Promise<TableDetail> => {
      const lake = await data.lake();
      const table = tableParam(c);
      const cur = await currentOr404(lake, table);
      return {
        table,
        current: { version: cur.version, rowCount: cur.rowCount, schema: cur.schema, contentHash: cur.contentHash, operation: cur.operation, createdAt: cur.createdAt },
        history: (await tableHistory(lake, table)).reverse(),
      };
    }, log),
  );

  api.get(
    "/tables/:table/profile",
    handle(async (c) => {
      const lake = await data.lake();
      return profileOf(lake, await versionRef(c, lake, tableParam(c)));
    }, log),
  );

  api.get(
    "/tables/:table/preview",
    handle(async (c): Promise<TablePreview> => {
      const lake = await data.lake();
      const ref = await versionRef(c, lake, tableParam(c));
      const limit = intParam(c, "limit", 50, 1, 1000);
      const rows = await lake.duck.rows(`SELECT * FROM ${lake.relation(ref)} LIMIT ${limit}`);
      const columns = (await lake.version(ref)).schema.map((s) => s.name);
      return { table: ref.table, version: ref.version, columns, rows: rows.map((r) => columns.map((k) => r[k] ?? null)), limit };
    }, log),
  );

  api.get(
    "/tables/:table/diff",
    handle(async (c) => {
      const lake = await data.lake();
      const table = tableParam(c);
      const cur = await currentOr404(lake, table);
      const to = optionalInt(c, "to", 1) ?? cur.version;
      const from = optionalInt(c, "from", 1) ?? Math.max(1, to - 1);
      await existing(lake, table, from);
      await existing(lake, table, to);
      const key = (c.req.query("key") ?? "").split(",").map((k) => k.trim()).filter(Boolean);
      return diffTable(lake, table, from, to, key.length ? key : undefined);
    }, log),
  );
}
