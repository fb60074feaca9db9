// A project whose source is a PostgreSQL table, pulled incrementally by a cursor column, through the real CLI:
// first run takes every row, a rerun takes only rows inserted or updated since, and the model retrains.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUnavailable, postgresUrl, requireServices } from "../src/store/test-helpers/services.js";

const cli = path.resolve(import.meta.dirname, "../dist/cli/main.js");
const pgReason = await postgresUnavailable();
if (pgReason && requireServices) throw new Error(`${pgReason}; CI must run the PostgreSQL source test`);
if (pgReason) console.warn(`skipping PostgreSQL source test: ${pgReason}`);

const run = async (dir: string) => {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, "run", dir, "--json"], { env: { ...process.env, NO_COLOR: "1", MILLRACE_SRC_URL: postgresUrl } });
  return JSON.parse(stdout);
};

describe.skipIf(pgReason !== null)("PostgreSQL source", () => {
  const table = `src_accounts_${process.pid}`;
  let client: pg.Client;
  let dir: string;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    await client.query(`drop table if exists ${table}; create table ${table} (id int primary key, updated_at timestamptz not null, balance double precision, plan text, churned text)`);
    const rows = Array.from({ length: 300 }, (_, i) => `(${i}, '2026-01-01T00:00:00Z'::timestamptz + ${i} * interval '1 minute', ${(i * 37) % 500}, '${["basic", "plus", "pro"][i % 3]}', '${(i * 37) % 500 > 250 || i % 3 === 0 ? "yes" : "no"}')`);
    await client.query(`insert into ${table} values ${rows.join(",")}`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-pgsrc-"));
    fs.mkdirSync(path.join(dir, "models/silver"), { recursive: true });
    fs.mkdirSync(path.join(dir, "models/gold"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "models/silver/accounts.sql"),
      "select * exclude (_source_file, _ingested_at, _batch_id) from {{ ref('bronze.accounts') }}\nqualify row_number() over (partition by id order by updated_at desc) = 1\n",
    );
    fs.writeFileSync(path.join(dir, "models/gold/training.sql"), "select balance, plan, churned from {{ ref('silver.accounts') }}\n");
    fs.writeFileSync(
      path.join(dir, "millrace.yaml"),
      `name: accounts
sources:
  - name: accounts
    postgres: { url: "\${MILLRACE_SRC_URL}", table: ${table}, cursor: updated_at, key: [id] }
checks:
  silver.accounts:
    - { rule: unique, column: id }
dataset: { table: gold.training, target: churned, task: binary, positive: "yes" }
train:
  cv_folds: 3
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: accounts, gate: { must_beat_production: false } }
`,
    );
  });
  afterAll(async () => {
    await client?.query(`drop table if exists ${table}`);
    await client?.end();
  });

  it("pulls every row first, then only the rows past the cursor", async () => {
    const first = await run(dir);
    expect(first.status).toBe("succeeded");
    expect(first.ingest[0]).toMatchObject({ table: "bronze.accounts", version: 1, rowsOut: 300 });
    expect(first.model).toMatchObject({ version: 1, promoted: true });

    const again = await run(dir);
    expect(again.ingest[0]).toMatchObject({ version: 1, rowsOut: 0 });
    expect(again.training.trained).toBe(false);

    await client.query(`update ${table} set plan = 'pro', updated_at = '2026-03-01T00:00:00Z' where id < 10`);
    await client.query(`insert into ${table} values (1000, '2026-03-02T00:00:00Z', 12, 'basic', 'no')`);
    const third = await run(dir);
    expect(third.ingest[0]).toMatchObject({ version: 2, rowsOut: 11 });
    expect(third.tables.find((t: any) => t.table === "silver.accounts").rows).toBe(301);
    expect(third.model.version).toBe(2);
  });
});
