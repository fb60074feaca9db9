// Reads a table version into a column-oriented Frame: numbers as Float64Array (NaN = NULL), the rest as strings.
// Non-numeric columns with few distinct values travel as numeric codes and are decoded from a dictionary,
// because decoding millions of strings (or formatting millions of timestamps) one by one costs seconds.
import { ValidationError } from "../errors.js";
import type { Column, ColumnSchema, Frame } from "../records.js";
import type { Duck } from "./duck.js";
import { ident, isNumericType, lit } from "./sql.js";

/** Above this many distinct values a column is read string by string. */
const MAX_DICTIONARY = 50_000;

/** The SELECT expression that turns a column into what Frame holds (DOUBLE, or text for everything else). */
function frameExpr(col: ColumnSchema): string {
  const c = ident(col.name);
  const t = col.type.toUpperCase();
  if (isNumericType(t)) return `CAST(${c} AS DOUBLE)`;
  if (t === "BOOLEAN") return `CASE WHEN ${c} THEN 'true' WHEN NOT ${c} THEN 'false' END`;
  if (t.startsWith("TIMESTAMP")) return `replace(CAST(${c} AS VARCHAR), ' ', 'T')`;
  return `CAST(${c} AS VARCHAR)`;
}

/** A numeric key per row for dates, timestamps and booleans, so their text is made once per distinct value. */
function keyExpr(col: ColumnSchema): string | null {
  const c = ident(col.name);
  const t = col.type.toUpperCase();
  if (t === "DATE" || (t.startsWith("TIMESTAMP") && !t.includes("TIME ZONE"))) return `CAST(epoch_us(CAST(${c} AS TIMESTAMP)) AS DOUBLE)`;
  if (t === "BOOLEAN") return `CAST(${c} AS DOUBLE)`;
  return null;
}

export function pickColumns(schema: ColumnSchema[], columns: string[] | undefined, where: string): ColumnSchema[] {
  if (!columns) return schema;
  return columns.map((name) => {
    const col = schema.find((c) => c.name === name);
    if (!col) {
      throw new ValidationError(`column "${name}" does not exist in ${where}`, {
        path: `${where}.${name}`,
        hint: `available columns: ${schema.map((c) => c.name).join(", ")}`,
      });
    }
    return col;
  });
}

/** A column read as numeric codes: the SQL giving the code, and the text each code stands for. */
interface Coded {
  expr: string;
  decode: (code: number) => string | null;
}

async function codings(duck: Duck, relation: string, schema: ColumnSchema[], numeric: boolean[]): Promise<(Coded | null)[]> {
  const out: (Coded | null)[] = schema.map(() => null);
  const text = schema.map((_, i) => i).filter((i) => !numeric[i]);
  if (!text.length) return out;
  const [counts] = await duck.rows(`SELECT ${text.map((i) => `count(DISTINCT ${ident(schema[i].name)}) AS d${i}`).join(", ")} FROM ${relation}`);
  for (const i of text) {
    const n = Number(counts[`d${i}`]);
    if (n > MAX_DICTIONARY || n === 0) continue; // an all-NULL column is read as text: ENUM () is not valid SQL
    const col = schema[i];
    const key = keyExpr(col);
    if (key) {
      const c = ident(col.name);
      // Text is made for each distinct value only, not for every row.
      const rows = await duck.rows(`SELECT k, ${frameExpr(col)} AS v FROM (SELECT DISTINCT ${key} AS k, ${c} FROM ${relation} WHERE ${c} IS NOT NULL)`);
      const map = new Map(rows.map((r) => [Number(r.k), String(r.v)]));
      out[i] = { expr: key, decode: (k) => map.get(k) ?? null };
    } else {
      const e = frameExpr(col);
      const dict = (await duck.rows(`SELECT DISTINCT ${e} AS v FROM ${relation} WHERE ${e} IS NOT NULL ORDER BY v`)).map((r) => String(r.v));
      out[i] = { expr: `enum_code(CAST(${e} AS ENUM (${dict.map(lit).join(", ")})))`, decode: (k) => dict[k] };
    }
  }
  return out;
}

interface RawVector {
  items: ArrayLike<number>;
  /** Validity bits as 32-bit words (bit set = value present), or null when every value is present. */
  valid: Uint32Array | null;
}

/**
 * The values and validity bits of a fixed-width vector, read from the fields where @duckdb/node-api keeps them
 * (`items`, `validity.data`). Going through getItem costs a BigInt operation per value; when the fields are not
 * there (another version of the library), null sends the caller back to getItem.
 */
function raw(vector: unknown): RawVector | null {
  const v = vector as { items?: unknown; validity?: { data?: BigUint64Array | null; offset?: number } };
  const items = v.items;
  if (!ArrayBuffer.isView(items) || items instanceof DataView || items instanceof BigInt64Array || items instanceof BigUint64Array) return null;
  const validity = v.validity;
  if (!validity || (validity.offset ?? 0) !== 0) return null;
  const data = validity.data;
  return {
    items: items as unknown as ArrayLike<number>,
    valid: data ? new Uint32Array(data.buffer, data.byteOffset, data.length * 2) : null,
  };
}

const present = (valid: Uint32Array | null, r: number) => valid === null || ((valid[r >>> 5] >>> (r & 31)) & 1) === 1;

/** Numbers of one vector into out[offset..]; NULL → NaN. */
function readNumbers(vector: { getItem(i: number): unknown }, size: number, out: (r: number, v: number | null) => void): void {
  const fast = raw(vector);
  if (fast) {
    const { items, valid } = fast;
    for (let r = 0; r < size; r++) out(r, present(valid, r) ? items[r] : null);
  } else {
    for (let r = 0; r < size; r++) out(r, vector.getItem(r) as number | null);
  }
}

export async function readFrame(duck: Duck, relation: string, schema: ColumnSchema[]): Promise<Frame> {
  if (schema.length === 0) return { rowCount: 0, columns: [] };
  const numeric = schema.map((c) => isNumericType(c.type));
  const coded = await codings(duck, relation, schema, numeric);
  const select = schema.map((c, i) => `${coded[i]?.expr ?? frameExpr(c)} AS ${ident(c.name)}`);
  const [{ n }] = await duck.rows(`SELECT count(*) AS n FROM ${relation}`);
  const rowCount = Number(n);
  const nums = schema.map((_, i) => (numeric[i] ? new Float64Array(rowCount) : null));
  const strs = schema.map((_, i) => (numeric[i] ? null : new Array<string | null>(rowCount).fill(null)));
  const read = await duck.exclusive(async (con) => {
    const result = await con.stream(`SELECT ${select.join(", ")} FROM ${relation}`);
    let offset = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const size = Math.min(chunk.rowCount, rowCount - offset);
      for (let c = 0; c < schema.length; c++) {
        const vector = chunk.getColumnVector(c);
        const num = nums[c];
        const code = coded[c];
        const str = strs[c];
        if (num) {
          const fast = raw(vector);
          if (fast && !fast.valid && fast.items instanceof Float64Array) num.set(fast.items.subarray(0, size), offset);
          else readNumbers(vector, size, (r, v) => (num[offset + r] = v === null ? NaN : v));
        } else if (code) {
          readNumbers(vector, size, (r, v) => (str![offset + r] = v === null ? null : code.decode(v)));
        } else {
          for (let r = 0; r < size; r++) str![offset + r] = vector.getItem(r) as string | null;
        }
      }
      offset += size;
    }
    return offset;
  });
  const columns: Column[] = schema.map((c, i) =>
    numeric[i] ? { name: c.name, kind: "numeric", values: nums[i]! } : { name: c.name, kind: "categorical", values: strs[i]! },
  );
  return { rowCount: read, columns };
}
