// Plain-DuckDB peers for bench/lake.mjs, run as a child process: the same SQL with no lakehouse bookkeeping.
//   node bench/lake/peer.mjs medallion FLIGHTS.csv OUT_DIR     CSV → table → silver → two gold tables, each written as Parquet
//   node bench/lake/peer.mjs merge OUT_DIR                     MERGE INTO of 1M changed rows into a 10M-row table, then Parquet
// Prints one JSON line with seconds.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';

const [, , mode, a, b] = process.argv;
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const q = (s) => s.replaceAll("'", "''");
const models = path.join(import.meta.dirname, 'models');
const sqlOf = (f, refs) => fs.readFileSync(path.join(models, f), 'utf8').replace(/\{\{\s*(?:source|ref)\('([^']+)'\)\s*\}\}/g, (_, n) => refs[n]);

if (mode === 'medallion') {
  const [csv, out] = [a, b];
  fs.mkdirSync(out, { recursive: true });
  const t = performance.now();
  await con.run(`create table bronze as select * from read_csv('${q(csv)}', header=true)`);
  await con.run(`copy bronze to '${q(path.join(out, 'bronze.parquet'))}' (format parquet)`);
  await con.run(`create table silver as ${sqlOf('silver/flights.sql', { flights: 'bronze' })}`);
  await con.run(`copy silver to '${q(path.join(out, 'silver.parquet'))}' (format parquet)`);
  for (const g of ['delay_by_origin', 'delay_by_route_hour']) {
    await con.run(`copy (${sqlOf(`gold/${g}.sql`, { 'silver.flights': 'silver' })}) to '${q(path.join(out, `${g}.parquet`))}' (format parquet)`);
  }
  console.log(JSON.stringify({ peer: 'duckdb', seconds: (performance.now() - t) / 1000 }));
} else if (mode === 'merge') {
  const out = a;
  fs.mkdirSync(out, { recursive: true });
  await con.run(`create table t as select range as id, range % 1000 as g, range * 0.5 as v, 'n' || (range % 5000) as s from range(10000000)`);
  await con.run(`create table s as select range as id, 7 as g, -1.0 as v, 'changed' as s from range(0, 10000000, 10)`);
  const t = performance.now();
  await con.run(`merge into t using s on t.id = s.id when matched then update set g = s.g, v = s.v, s = s.s when not matched then insert values (s.id, s.g, s.v, s.s)`);
  await con.run(`copy t to '${q(path.join(out, 'merged.parquet'))}' (format parquet)`);
  console.log(JSON.stringify({ peer: 'duckdb', seconds: (performance.now() - t) / 1000 }));
} else {
  console.error('usage: peer.mjs medallion CSV OUT | merge OUT');
  process.exit(2);
}
