// The PostgreSQL side of a source: connecting (UTC, exact numbers kept as text), quoting names, and the mapping
// from PostgreSQL column types to the DuckDB types the rows are stored as.
import pg from "pg";
import { ConfigError, ValidationError } from "../../errors.js";

/** PostgreSQL type OIDs → DuckDB types; anything else arrives as text. */
const TYPES: Record<number, string> = {
  16: "BOOLEAN", 20: "BIGINT", 21: "SMALLINT", 23: "INTEGER", 700: "FLOAT", 701: "DOUBLE", 1700: "DOUBLE",
  1082: "DATE", 1114: "TIMESTAMP", 1184: "TIMESTAMP", 25: "VARCHAR", 1043: "VARCHAR", 2950: "VARCHAR", 114: "JSON", 3802: "JSON",
};
/** Kept as the server's text (exact), cast by DuckDB from the declared column type. */
const AS_TEXT = new Set([20, 1700, 1082, 1114, 1184]);

export const pgIdent = (name: string) => name.split(".").map((p) => `"${p.replaceAll('"', '""')}"`).join(".");

/** Column → DuckDB type for the fields of a result, so every read of a table stores the same types. */
export function duckTypes(fields: pg.FieldDef[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, TYPES[f.dataTypeID] ?? "VARCHAR"]));
}

export function checkTableName(table: string): void {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$/.test(table)) {
    throw new ValidationError(`postgres table "${table}" is not a table name`, { path: "table", hint: "write schema.table or table" });
  }
}

/** A connected client in UTC; the caller ends it. */
export async function connect(connection: string | pg.ClientConfig, table: string): Promise<pg.Client> {
  const client = new pg.Client({
    ...(typeof connection === "string" ? { connectionString: connection } : connection),
    types: { getTypeParser: ((oid: number) => (AS_TEXT.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid))) as never },
  });
  try {
    await client.connect();
  } catch (e) {
    throw new ConfigError(`cannot connect to PostgreSQL for ${table}: ${(e as Error).message}`, { hint: "check the source's connection string" });
  }
  try {
    await client.query("SET TIME ZONE 'UTC'");
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new ConfigError(`PostgreSQL refused the session setup for ${table}: ${(e as Error).message}`);
  }
  return client;
}
