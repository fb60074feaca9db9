// The lake for the dashboard: tables at their current versions, one table's schema and history, a column
// profile of any version (histograms, top values), the first rows of a version, and the diff of two versions.
// The operations are src/app/tables.ts; this file reads the request.
import type { Context, Hono } from "hono";
import { diffVersions, listTables, previewTable, profileTable, tableDetail } from "../app/tables.js";
import { ValidationError } from "../errors.js";
import type { UiData } from "./data.js";
import { handle, intParam, optionalInt } from "./http.js";
import type { TableDetail, TablePreview, TableRow } from "./types.js";

/** The table named in the path, checked before it reaches the file system. */
function tableParam(c: Context): string {
  const table = c.req.param("table") ?? "";
  if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new ValidationError(`"${table}" is not a table name`, { path: "table", hint: "write <layer>.<name>, e.g. silver.customers" });
  }
  return table;
}

export function tablesRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get("/tables", handle(async (): Promise<TableRow[]> => listTables(await data.lake()), log));
  api.get("/tables/:table", handle(async (c): Promise<TableDetail> => tableDetail(await data.lake(), tableParam(c)), log));
  api.get("/tables/:table/profile", handle(async (c) => profileTable(await data.lake(), tableParam(c), optionalInt(c, "version", 1)), log));
  api.get(
    "/tables/:table/preview",
    handle(async (c): Promise<TablePreview> => previewTable(await data.lake(), tableParam(c), optionalInt(c, "version", 1), intParam(c, "limit", 50, 1, 1000)), log),
  );
  api.get(
    "/tables/:table/diff",
    handle(async (c) => {
      const key = (c.req.query("key") ?? "").split(",").map((k) => k.trim()).filter(Boolean);
      return diffVersions(await data.lake(), tableParam(c), { from: optionalInt(c, "from", 1), to: optionalInt(c, "to", 1), key });
    }, log),
  );
}
