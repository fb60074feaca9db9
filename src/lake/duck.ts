// The in-process DuckDB engine behind the lake: one connection, serialized statements, JSON-safe rows.
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBResultReader } from "@duckdb/node-api";
import type { ColumnSchema } from "../records.js";

const INTEGER_IDS = new Set<number>([
  DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT, DuckDBTypeId.BIGNUM,
]);

/** DuckDB gives BIGINT/HUGEINT as strings in its JSON form; numbers when exact, the string otherwise. */
function integerOrString(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

function decimalToNumber(v: unknown): unknown {
  return typeof v === "string" ? Number(v) : v;
}

/** Rows as plain objects whose values survive JSON.stringify unchanged. */
export function jsonRows(reader: DuckDBResultReader): Record<string, unknown>[] {
  const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
  const names = reader.columnNames();
  for (let c = 0; c < names.length; c++) {
    const id = reader.columnTypeId(c);
    const fix = INTEGER_IDS.has(id) ? integerOrString : id === DuckDBTypeId.DECIMAL ? decimalToNumber : null;
    if (!fix) continue;
    const key = names[c];
    for (const row of rows) row[key] = fix(row[key]);
  }
  return rows;
}

export class Duck {
  private queue: Promise<unknown> = Promise.resolve();
  private constructor(private readonly instance: DuckDBInstance, readonly con: DuckDBConnection) {}

  static async open(): Promise<Duck> {
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    const duck = new Duck(instance, con);
    // Timestamps are written and shown in UTC, so versions read the same on every machine.
    await duck.run("SET TimeZone = 'UTC'").catch(() => undefined);
    return duck;
  }

  /** Runs fn alone on the connection: statements from concurrent callers never interleave. */
  exclusive<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => fn(this.con));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs a statement; returns the number of rows it changed/wrote (COPY reports rows written). `unordered` lets
   * DuckDB write rows in any order, which is faster for large rewrites whose row order carries no meaning.
   */
  run(sql: string, opts: { unordered?: boolean } = {}): Promise<number> {
    return this.exclusive(async (con) => {
      if (opts.unordered) await con.run("SET preserve_insertion_order = false");
      const reader = await con.runAndReadAll(sql).finally(() => (opts.unordered ? con.run("RESET preserve_insertion_order") : undefined));
      if (reader.rowsChanged) return reader.rowsChanged;
      // COPY ... TO answers with a one-row "Count" result rather than rowsChanged.
      if (reader.columnCount === 1 && reader.columnName(0) === "Count" && reader.currentRowCount === 1) {
        return Number(reader.getColumns()[0][0] as bigint);
      }
      return 0;
    });
  }

  rows(sql: string): Promise<Record<string, unknown>[]> {
    return this.exclusive(async (con) => jsonRows(await con.runAndReadAll(sql)));
  }

  /** Column names and engine types of a query's result, without running it in full. */
  describe(sql: string): Promise<ColumnSchema[]> {
    return this.exclusive(async (con) => {
      const reader = await con.runAndReadAll(`DESCRIBE ${sql}`);
      return (reader.getRowObjectsJson() as Record<string, unknown>[]).map((r) => ({
        name: String(r.column_name),
        type: String(r.column_type),
        nullable: r.null !== "NO",
      }));
    });
  }

  close(): void {
    this.con.closeSync();
    this.instance.closeSync();
  }
}
