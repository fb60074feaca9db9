// The point-in-time join as a typed merge: DuckDB hands out each view's (key, time, fixed-width features) and the
// labels' (key, time) as typed arrays, pit-merge.ts matches them without sorting any feature row, the matched values
// are copied as bytes into one table in the labels' row order, and a POSITIONAL JOIN puts it beside the labels. Same
// answer as the ASOF JOIN of pit-sql.ts (pit-join.test.ts compares them), but not faster on this machine: 1M labels ×
// 3 views of 3.3M rows took 6.0–6.3 s CPU vs the ASOF JOIN's 4.2–4.9 (load 13–16; bench:features), most of it moving
// columns across the node-api boundary (reads ~0.75 s and appends ~0.4 s per view), so training sets keep the ASOF
// JOIN and this stays the measured alternative (MILLRACE_PIT_TRACE=1 prints its steps). Integer keys become entity ids in JS
// (pit-keys.ts); other keys (text, several columns) through a key table DuckDB joins to. Features that are not
// fixed-width (strings, lists) travel as the matched row's position and are fetched by a join on it.
import type { DuckDBConnection, DuckDBType } from "@duckdb/node-api";
import type { Duck } from "../lake/duck.js";
import { ident, isNumericType } from "../lake/sql.js";
import { expressionSql } from "./expression.js";
import { appendColumns, fixedWidth, readColumns, type ByteColumn, type ColumnRead } from "./pit-columns.js";
import { NumericKeyIds } from "./pit-keys.js";
import { indexLabels, matchRows, type LabelIndex } from "./pit-merge.js";
import { pointInTimeSql, type PointInTimeInputs } from "./pit-sql.js";
import { isTimeType } from "./source-check.js";

let calls = 0;
/** MILLRACE_PIT_TRACE=1 prints each step's CPU time (ms, this process: DuckDB's threads included) to stderr. */
const tracing = process.env.MILLRACE_PIT_TRACE === "1";
let mark = process.cpuUsage();
const step = (what: string) => {
  if (!tracing) return;
  const u = process.cpuUsage(mark);
  process.stderr.write(`pit ${what}: ${((u.user + u.system) / 1000).toFixed(0)} ms CPU\n`);
  mark = process.cpuUsage();
};
const q = ident;
const asMicros = (col: string) => `CAST(epoch_us(CAST(${col} AS TIMESTAMP)) AS DOUBLE)`;
/** Integer types whose values all convert to doubles exactly, and those that need a range check first. */
const SMALL_INTS = /^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT|UINTEGER)$/i;
const BIG_INTS = /^(BIGINT|UBIGINT|HUGEINT|UHUGEINT)$/i;
const EXACT = 2 ** 53;

type MakeTable = (name: string, sql: string) => Promise<string>;

/**
 * Runs the point-in-time join of `p` and hands its SELECT to `write` (e.g. `COPY (…) TO …` or `CREATE TABLE t AS …`);
 * returns the rows the statement wrote. Runs alone on the connection; the work tables it makes are dropped after.
 */
export async function pointInTimeJoin(duck: Duck, p: PointInTimeInputs, write: (select: string) => string): Promise<number> {
  return duck.exclusive(async (con) => {
    const id = `__pit_${process.pid}_${++calls}`;
    const made: string[] = [];
    const table: MakeTable = async (name, sql) => {
      made.push(name);
      await con.run(`CREATE TABLE ${name} AS ${sql}`);
      return name;
    };
    try {
      step("start");
      const select = await mergeSelect(con, p, id, table);
      const rows = rowsWritten(await con.runAndReadAll(write(select ?? pointInTimeSql(p))));
      step("write");
      return rows;
    } finally {
      for (const t of made.reverse()) await con.run(`DROP TABLE IF EXISTS ${t}`);
    }
  });
}

function rowsWritten(reader: { rowsChanged: number; columnCount: number; columnName(i: number): string; getColumns(): unknown[][] }): number {
  if (reader.rowsChanged) return reader.rowsChanged;
  // COPY … TO answers with a one-row "Count" result rather than rowsChanged.
  if (reader.columnCount === 1 && reader.columnName(0) === "Count") return Number(reader.getColumns()[0][0] as bigint);
  return 0;
}

const typesOf = async (con: DuckDBConnection, cols: string[], relation: string): Promise<DuckDBType[]> =>
  cols.length ? (await con.run(`SELECT ${cols.map(q).join(", ")} FROM ${relation} LIMIT 0`)).columnTypes() : [];
const countOf = async (con: DuckDBConnection, sql: string): Promise<number> => Number((await con.runAndReadAll(sql)).getColumns()[0][0] as bigint);

/** How view rows get entity ids: the first column read (its SQL and kind), and the ids of what was read. */
interface KeyedLabels {
  keys: string[];
  index: LabelIndex;
  keyRead(view: string): { cols: string[]; how: ColumnRead[]; join: string; where: string[] };
  ids(read: { int32: Int32Array[]; float64: Float64Array[]; n: number }): Int32Array;
}

/** The SELECT over the merged table, or null when a view's created_timestamp is not a number or a time (SQL path). */
async function mergeSelect(con: DuckDBConnection, p: PointInTimeInputs, id: string, table: MakeTable): Promise<string | null> {
  const views = p.service.views;
  const featureTypes: DuckDBType[][] = [];
  const createdTypes: (string | null)[] = [];
  const numericKeys = new Map<string, boolean>();
  const labelKeyTypes = await typesOf(con, p.service.joinKeys, p.labels);
  p.service.joinKeys.forEach((k, i) => numericKeys.set(k, SMALL_INTS.test(labelKeyTypes[i].toString()) || BIG_INTS.test(labelKeyTypes[i].toString())));
  for (let i = 0; i < views.length; i++) {
    const sv = views[i];
    const created = sv.view.created_timestamp;
    const types = await typesOf(con, [...sv.features.map((f) => f.name), ...(created ? [created] : []), ...sv.joinKeys], p.views[i]);
    featureTypes.push(types.slice(0, sv.features.length));
    const ct = created ? types[sv.features.length].toString() : null;
    if (ct !== null && !isNumericType(ct) && !isTimeType(ct)) return null;
    createdTypes.push(ct);
    sv.joinKeys.forEach((k, c) => {
      const t = types[types.length - sv.joinKeys.length + c].toString();
      if (!SMALL_INTS.test(t) && !BIG_INTS.test(t)) numericKeys.set(k, false);
    });
  }
  // Integer keys are mapped in JS when every view of the service has one such key and no label's key is too large
  // for a double; otherwise every key set goes through DuckDB key tables.
  const range = (col: string) => `${col} BETWEEN ${-EXACT} AND ${EXACT}`;
  let numeric = views.every((sv) => sv.joinKeys.length === 1 && numericKeys.get(sv.joinKeys[0]));
  const bigKeys = new Set(p.service.joinKeys.filter((_, i) => BIG_INTS.test(labelKeyTypes[i].toString())));
  if (numeric) {
    const big = [...bigKeys];
    if (big.length) numeric = (await countOf(con, `SELECT count(*) FROM ${p.labels} WHERE ${big.map((k) => `NOT ${range(q(k))}`).join(" OR ")}`)) === 0;
  }
  // The merged columns line up with the labels by position: the labels must be read in the same order twice.
  const labels = numeric && (/^[A-Za-z_]\w*$/.test(p.labels) || p.labels.startsWith("read_parquet(")) ? p.labels : await table(`${id}_labels`, `SELECT * FROM ${p.labels}`);
  const keySets = [...new Map(views.map((sv) => [sv.joinKeys.join("\0"), sv.joinKeys])).values()];
  let keyed: KeyedLabels[] = [];
  let total: number;
  if (numeric) ({ keyed, total } = await numericLabels(con, labels, keySets.map((k) => k[0]), p.timestamp, bigKeys));
  else {
    for (const [n, keys] of keySets.entries()) keyed.push(await dictionaryLabels(con, id, n, labels, keys, p.timestamp, table));
    total = await countOf(con, `SELECT count(*) FROM ${labels}`);
  }
  step("labels read and indexed");

  const outCols: ByteColumn[] = [];
  const outTypes: DuckDBType[] = [];
  const outNames: string[] = [];
  const fetches: string[] = []; // after the POSITIONAL JOIN: a join's output is in no particular order
  const picks = new Map<string, string>();
  for (let i = 0; i < views.length; i++) {
    const sv = views[i];
    const v = sv.view;
    const kl = keyed.find((k) => k.keys.join("\0") === sv.joinKeys.join("\0"))!;
    const fixed = sv.features.map((_, c) => fixedWidth(featureTypes[i][c]) > 0);
    const byRow = fixed.some((f) => !f);
    // Rows fetched by position need a table with row ids; fixed-width features come straight from the relation.
    const source = byRow
      ? await table(`${id}_view${i}`, `SELECT ${[...sv.joinKeys, v.timestamp, ...(v.created_timestamp ? [v.created_timestamp] : []), ...sv.features.map((f) => f.name)].map(q).join(", ")} FROM ${p.views[i]}`)
      : p.views[i];
    const key = kl.keyRead(source);
    const cols = [
      ...key.cols,
      asMicros(`v.${q(v.timestamp)}`),
      ...(createdTypes[i] === null ? [] : [isTimeType(createdTypes[i]!) ? asMicros(`v.${q(v.created_timestamp!)}`) : `CAST(v.${q(v.created_timestamp!)} AS DOUBLE)`]),
      ...(byRow ? ["CAST(v.rowid AS INTEGER)"] : []),
      ...sv.features.filter((_, c) => fixed[c]).map((f) => `v.${q(f.name)}`),
    ];
    const how: ColumnRead[] = [...key.how, "float64", ...(createdTypes[i] === null ? [] : ["float64-null-low" as const]), ...cols.slice(key.cols.length + 1 + (createdTypes[i] === null ? 0 : 1)).map(() => "bytes" as const)];
    const read = await readColumns(con, `SELECT ${cols.join(", ")} FROM ${source} v ${key.join} WHERE ${[`v.${q(v.timestamp)} IS NOT NULL`, ...key.where].join(" AND ")}`, how, total * 4);
    step(`view ${i} read`);
    const f0 = key.how[0] === "float64" ? 1 : 0;
    const match = matchRows(kl.index, { eid: kl.ids(read), ts: read.float64[f0], created: createdTypes[i] === null ? null : read.float64[f0 + 1], n: read.n }, Math.round(v.ttl) * 1000);
    step(`view ${i} matched`);
    const byPos = new Int32Array(total).fill(-1);
    for (let j = 0; j < match.length; j++) byPos[kl.index.order[j]] = match[j];
    for (const b of read.bytes) outCols.push(gather(b, byPos));
    outTypes.push(...read.types.slice(read.types.length - read.bytes.length));
    const names = [...(byRow ? [`__pit_row${i}`] : []), ...sv.features.filter((_, c) => fixed[c]).map((f) => f.name)];
    outNames.push(...names);
    step(`view ${i} gathered`);
    if (byRow) fetches.push(`LEFT JOIN ${source} g${i} ON g${i}.rowid = o.__pit_row${i}`);
    sv.features.forEach((f, c) => picks.set(f.name, `${fixed[c] ? "o" : `g${i}`}.${q(f.name)}`));
  }
  const out = await table(`${id}_out`, `SELECT ${outNames.map((n, c) => `CAST(NULL AS ${outTypes[c].toString()}) AS ${q(n)}`).join(", ")} LIMIT 0`);
  await appendColumns(con, out, outTypes, outCols, total);
  step("appended");
  const cols = ["l.*", ...views.flatMap((sv) => sv.features.map((f) => `${picks.get(f.name)} AS ${q(f.name)}`))];
  const joined = `SELECT ${cols.join(", ")} FROM ${labels} l POSITIONAL JOIN ${out} o ${fetches.join(" ")}`;
  if (!p.service.onDemand.length) return joined;
  const extra = p.service.onDemand.map((o) => `${expressionSql(o.expr, (n) => `j.${q(n)}`)} AS ${q(o.name)}`);
  return `SELECT j.*, ${extra.join(", ")} FROM (${joined}) j`;
}

/** Labels with integer keys, read once in order: one id table per key column (in JS), rows without key or time left out. */
async function numericLabels(
  con: DuckDBConnection,
  labels: string,
  keys: string[],
  timestamp: string,
  bigKeys: Set<string>,
): Promise<{ keyed: KeyedLabels[]; total: number }> {
  const read = await readColumns(con, `SELECT ${asMicros(q(timestamp))}, ${keys.map((k) => `CAST(${q(k)} AS DOUBLE)`).join(", ")} FROM ${labels}`, ["float64", ...keys.map(() => "float64" as const)], 1 << 16);
  const ts = read.float64[0];
  const keyed = keys.map((k, c): KeyedLabels => {
    const key = read.float64[c + 1];
    const dict = new NumericKeyIds(1024);
    const pos = new Int32Array(read.n);
    const eid = new Int32Array(read.n);
    const lts = new Float64Array(read.n);
    let n = 0;
    for (let r = 0; r < read.n; r++) {
      if (Number.isNaN(key[r]) || Number.isNaN(ts[r])) continue;
      pos[n] = r;
      eid[n] = dict.add(key[r]);
      lts[n++] = ts[r];
    }
    dict.freeze();
    const big = bigKeys.has(k);
    return {
      keys: [k],
      index: indexLabels(pos, eid, lts, n, dict.size),
      keyRead: () => ({ cols: [`CAST(v.${q(k)} AS DOUBLE)`], how: ["float64"], join: "", where: [`v.${q(k)} IS NOT NULL`, ...(big ? [`v.${q(k)} BETWEEN ${-EXACT} AND ${EXACT}`] : [])] }),
      ids: (r) => {
        const out = new Int32Array(r.n);
        const vk = r.float64[0];
        for (let i = 0; i < r.n; i++) out[i] = dict.idOf(vk[i]);
        return out;
      },
    };
  });
  return { keyed, total: read.n };
}

/** Labels with other keys: a key table of their distinct values (row number = entity id) that view rows join to. */
async function dictionaryLabels(con: DuckDBConnection, id: string, n: number, labels: string, keys: string[], timestamp: string, table: MakeTable): Promise<KeyedLabels> {
  const k = keys.map(q).join(", ");
  const dict = await table(
    `${id}_keys${n}`,
    `SELECT ${k}, CAST(row_number() OVER () - 1 AS INTEGER) AS __pit_eid FROM (SELECT DISTINCT ${k} FROM ${labels} WHERE ${keys.map((x) => `${q(x)} IS NOT NULL`).join(" AND ")})`,
  );
  const entities = await countOf(con, `SELECT count(*) FROM ${dict}`);
  const on = (alias: string) => keys.map((x) => `${alias}.${q(x)} = k.${q(x)}`).join(" AND ");
  const read = await readColumns(
    con,
    `SELECT CAST(l.rowid AS INTEGER), k.__pit_eid, ${asMicros(`l.${q(timestamp)}`)} FROM ${labels} l JOIN ${dict} k ON ${on("l")} WHERE l.${q(timestamp)} IS NOT NULL`,
    ["int32", "int32", "float64"],
    1 << 16,
  );
  return {
    keys,
    index: indexLabels(read.int32[0], read.int32[1], read.float64[0], read.n, entities),
    keyRead: () => ({ cols: ["k.__pit_eid"], how: ["int32"], join: `JOIN ${dict} k ON ${on("v")}`, where: [] }),
    ids: (r) => r.int32[0],
  };
}

/** Values of the matched rows at their labels' positions (`byPos[p]`: the row of label p, or -1: NULL). */
function gather(src: ByteColumn, byPos: Int32Array): ByteColumn {
  const w = src.width;
  const n = byPos.length;
  const data = new Uint8Array(n * w);
  const valid = new Uint8Array(n);
  // Whole words where the width allows: 8-byte values as two 32-bit copies, never through a double (NaN bits survive).
  const words = w % 4 === 0 ? w / 4 : 0;
  const s32 = words ? new Uint32Array(src.data.buffer, src.data.byteOffset, src.data.length / 4) : null;
  const d32 = words ? new Uint32Array(data.buffer) : null;
  const s16 = w === 2 ? new Uint16Array(src.data.buffer, src.data.byteOffset, src.data.length / 2) : null;
  const d16 = w === 2 ? new Uint16Array(data.buffer) : null;
  for (let at = 0; at < n; at++) {
    const m = byPos[at];
    if (m < 0) continue;
    valid[at] = src.valid[m];
    if (words === 2) {
      d32![2 * at] = s32![2 * m];
      d32![2 * at + 1] = s32![2 * m + 1];
    } else if (words) {
      for (let x = 0; x < words; x++) d32![words * at + x] = s32![words * m + x];
    } else if (w === 2) d16![at] = s16![m];
    else data[at] = src.data[m];
  }
  return { width: w, data, valid };
}
