// The loan-approval example fed from PostgreSQL (examples/loan-approval/postgres) through the real CLI and a real
// PostgreSQL (127.0.0.1:5432, db test; never skipped: without it the test fails): the loader script fills schema
// loan_approval, `millrace run` pulls it into bronze by cursor and builds the same point-in-time training set, a new
// profile inserted in PostgreSQL reaches bronze, the online store and /predict at the next run, while the training row
// of a decision made before it keeps the old profile.
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lake } from "../src/lake/lake.js";
import { loadProject } from "../src/project/load-project.js";
import { postgresUnavailable, postgresUrl } from "../src/store/test-helpers/services.js";
import { copyExample, millrace, repoRoot, startServe } from "./cli.js";

const pgReason = await postgresUnavailable();
if (pgReason) throw new Error(`${pgReason}: the PostgreSQL mode of examples/loan-approval must be tested (start PostgreSQL on 127.0.0.1:5432, db test)`);
const env = { MILLRACE_LOANS_PG_URL: postgresUrl };

describe("loan approval fed from PostgreSQL", () => {
  let dir: string;
  let client: pg.Client;
  let server: { url: string; proc: ChildProcess } | undefined;
  beforeAll(async () => {
    dir = copyExample("loan-approval");
    const out = execFileSync(process.execPath, [path.join(repoRoot, "examples/loan-approval/scripts/load-postgres.mjs"), postgresUrl], { encoding: "utf8" });
    expect(out).toContain("loan_approval.applicant_profiles: 6141 rows");
    client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
  });
  afterAll(async () => {
    server?.proc.kill("SIGTERM");
    await client?.end();
  });

  it("declares the same features, dataset, training and gate as the file-fed project; only the sources differ", () => {
    const files = loadProject(path.join(dir)).config;
    const fed = loadProject(path.join(dir, "postgres")).config;
    const strip = ({ name: _n, description: _d, sources: _s, serve: _p, models: _m, ...rest }: typeof files) => rest;
    expect(strip(fed)).toEqual(strip(files));
    expect(fed.sources.map((s) => s.name)).toEqual(files.sources.map((s) => s.name));
    expect(fed.sources.every((s) => "postgres" in s)).toBe(true);
  });

  it("pulls the tables, builds the point-in-time training set, trains, gates and materializes; then takes only new rows", async () => {
    const pgDir = path.join(dir, "postgres");
    const first = millrace(["run", pgDir, "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    const rows = Object.fromEntries(first.json.tables.map((t: any) => [t.table, t.rows]));
    expect(rows).toMatchObject({ "bronze.applicant_profiles": 6141, "bronze.loan_decisions": 4454, "gold.loan_training": 4454 });
    expect(first.json.model).toMatchObject({ name: "loan_approval", version: 1, promoted: true });
    expect(first.json.tasks["materialize:features"].state).toBe("succeeded");

    // The loader run again writes the same rows: nothing moves, so the next run pulls, rebuilds and trains nothing.
    execFileSync(process.execPath, [path.join(repoRoot, "examples/loan-approval/scripts/load-postgres.mjs"), postgresUrl], { encoding: "utf8" });
    const idle = millrace(["run", pgDir, "--json"], env);
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.json.tables.filter((t: any) => !t.reused).map((t: any) => t.table)).toEqual([]);
    expect(idle.json.model ?? null).toBeNull();
    expect(idle.json.tasks["train:gbdt"].note).toMatch(/^skipped/);
    // Rows rewritten with the same values (updated_at moved): bronze takes them (a new version), but the training set
    // comes out the same, so it keeps its version and no model is trained.
    await client.query(`UPDATE loan_approval.loan_requests SET updated_at = now()`);
    const touched = millrace(["run", pgDir, "--json"], env);
    expect(touched.code, touched.stderr).toBe(0);
    const versions = Object.fromEntries(touched.json.tables.map((t: any) => [t.table, [t.version, t.reused]]));
    expect(versions).toMatchObject({ "bronze.loan_requests": [2, false], "gold.loan_training": [1, true] });
    expect(touched.json.model ?? null).toBeNull();
    expect(touched.json.tasks["train:gbdt"].note).toMatch(/^skipped/);

    // The applicant with the earliest decision gets a new profile, written now in PostgreSQL (after the decision).
    const lakeDir = path.join(pgDir, ".millrace/lake");
    let lake = await Lake.open(lakeDir);
    const [pit] = await lake.query(`
      WITH truth AS (
        SELECT d.applicant_id, arg_max(p.income, p.profile_updated_at) AS income
        FROM silver.loan_decisions d JOIN silver.applicant_profiles p ON p.applicant_id = d.applicant_id AND p.profile_updated_at <= d.decided_at
        GROUP BY d.applicant_id)
      SELECT count(*) FILTER (WHERE t.income IS DISTINCT FROM truth.income) AS wrong, count(*) AS n FROM gold.loan_training t LEFT JOIN truth USING (applicant_id)`);
    expect(pit).toEqual({ wrong: 0, n: 4454 });
    const [before] = await lake.query(`SELECT applicant_id, income FROM gold.loan_training WHERE income IS NOT NULL ORDER BY decided_at, applicant_id LIMIT 1`);
    await lake.close();
    const id = String(before.applicant_id);
    await client.query(
      `INSERT INTO loan_approval.applicant_profiles SELECT applicant_id, now(), seniority, home, age, marital, records, job, expenses, 777777, assets, debt
       FROM loan_approval.applicant_profiles WHERE applicant_id = $1 ORDER BY profile_updated_at DESC LIMIT 1`,
      [id],
    );

    const second = millrace(["run", pgDir, "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    const ingest = Object.fromEntries(second.json.ingest.map((i: any) => [i.table, i]));
    expect(ingest["bronze.applicant_profiles"]).toMatchObject({ version: 2, rowsOut: 1 });
    expect(ingest["bronze.loan_decisions"].rowsOut).toBe(0);
    const features = millrace(["features", pgDir, "--json"], env);
    const views = Object.fromEntries(features.json.views.map((v: any) => [v.name, v]));
    expect(views.applicant_profile.online).toMatchObject({ materializedVersion: 2, entities: 4454, behind: false });

    lake = await Lake.open(lakeDir);
    const [after] = await lake.query(`SELECT income FROM gold.loan_training WHERE applicant_id = '${id}'`);
    await lake.close();
    expect(after.income).toBe(before.income); // the decision predates the new profile: the training row keeps the old one

    server = await startServe(pgDir, env);
    const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [{ applicant_id: id }], return_features: true }) });
    const body: any = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.features[0].income).toBe(777777); // serving reads the latest profile
    expect(body.provenance).toMatchObject({ model: "loan_approval", version: second.json.model?.promoted ? second.json.model.version : 1 });
   }, 420_000); // four pipeline runs and a server: 53 s for two at load 16
});
