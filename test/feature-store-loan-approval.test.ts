// The loan-approval example end to end through the real CLI: run (ingest, silver models, the point-in-time training
// set, train, gate, materialize) → features → serve by applicant id → push a new loan request → predict again.
// Checks that no training row saw a profile written after its decision (a plain join would), that the on-demand
// feature is computed online exactly as offline for every training row, and the served features equal the
// training row of an applicant whose profile never changed.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceFeatures } from "../src/featurestore/online-features.js";
import { openOnlineStore } from "../src/featurestore/online/online-stores.js";
import { Lake } from "../src/lake/lake.js";
import { loadProject } from "../src/project/load-project.js";
import { cli, copyExample, millrace, startServe } from "./cli.js";

const TOKEN = "loans-test-token";
const post = (url: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  fetch(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers });

describe("loan approval with a feature store, end to end", () => {
  let dir: string;
  let server: { url: string; proc: ChildProcess; example: Record<string, unknown> } | undefined;

  beforeAll(() => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npm test builds it first (npm run build)");
    dir = copyExample("loan-approval");
  });
  afterAll(() => {
    server?.proc.kill("SIGTERM");
  });

  it("runs the pipeline: point-in-time training set, a gated model, the online store filled", () => {
    const r = millrace(["run", dir, "--json"]);
    expect(r.code).toBe(0);
    const s = r.json;
    expect(s.status).toBe("succeeded");
    const rows = Object.fromEntries(s.tables.map((t: any) => [t.table, t.rows]));
    expect(rows["gold.loan_training"]).toBe(4454);
    expect(s.dataset).toMatchObject({ table: "gold.loan_training", rows: 4454 });
    expect(s.dataset.features).toContain("loan_to_income");
    expect(s.dataset.features).not.toContain("decided_at");
    expect(s.model).toMatchObject({ name: "loan_approval", version: 1, promoted: true });
    expect(s.tasks["materialize:features"].state).toBe("succeeded");
    const features = millrace(["features", dir, "--json"]);
    expect(features.code).toBe(0);
    const views = Object.fromEntries(features.json.views.map((v: any) => [v.name, v]));
    expect(views.applicant_profile.online).toMatchObject({ materializedVersion: 1, entities: 4454, behind: false });
    expect(views.loan_request.online.freshnessSeconds).toBeGreaterThan(0);
    expect(features.json.services[0].trainingSets[0]).toMatchObject({ table: "gold.loan_training", version: 1 });
    expect(features.json.services[0].trainingSets[0].builtFrom.map((p: any) => p.table).sort()).toEqual(["bronze.loan_requests", "silver.applicant_profiles", "silver.loan_decisions"]);
   }, 180_000); // the whole pipeline (5-fold CV of 2 candidates): 35 s at load 17, over 60 s at load 20

  it("never joins a profile written after the decision; a plain join would for hundreds of rows", async () => {
    const lake = await Lake.open(path.join(dir, ".millrace/lake"));
    try {
      // The brute-force answer: the income of the latest profile at or before each decision.
      const [pit] = await lake.query(`
        WITH truth AS (
          SELECT d.applicant_id, arg_max(p.income, p.profile_updated_at) AS income
          FROM silver.loan_decisions d JOIN silver.applicant_profiles p ON p.applicant_id = d.applicant_id AND p.profile_updated_at <= d.decided_at
          GROUP BY d.applicant_id)
        SELECT count(*) FILTER (WHERE t.income IS DISTINCT FROM truth.income) AS wrong, count(*) AS n
        FROM gold.loan_training t LEFT JOIN truth USING (applicant_id)`);
      expect(pit).toEqual({ wrong: 0, n: 4454 });
      const [plain] = await lake.query(`
        WITH latest AS (SELECT applicant_id, arg_max(income, profile_updated_at) AS income FROM silver.applicant_profiles GROUP BY applicant_id)
        SELECT count(*) FILTER (WHERE t.income IS DISTINCT FROM latest.income) AS leaked FROM gold.loan_training t JOIN latest USING (applicant_id)`);
      expect(Number(plain.leaked)).toBeGreaterThan(1000);

      // Offline == online: the online code computes loan_to_income from each training row's inputs, for every row.
      const project = loadProject(dir);
      const store = await openOnlineStore("online-check.db", { project: "check", dir });
      const sf = new ServiceFeatures(store, project.config.feature_store!, "loan_approval");
      const training = await lake.query(`SELECT amount, income, loan_to_income FROM gold.loan_training`);
      let compared = 0;
      for (const row of training) {
        expect(sf.computeOnDemand({ amount: row.amount, income: row.income }).loan_to_income).toBe(row.loan_to_income);
        compared++;
      }
      expect(compared).toBe(4454);
      await store.close();
    } finally {
      await lake.close();
    }
  });

  it("serves by applicant id with the online features, answers lookups, and takes pushed requests", async () => {
    server = await startServe(dir, { MILLRACE_API_TOKEN: TOKEN });
    const meta: any = await (await fetch(`${server.url}/v2/models/loan_approval`)).json();
    expect(meta.inputs.map((i: any) => i.name)).toEqual(["applicant_id"]);
    // The start-up hint's request (curl … -d '{"records":[…]}') is the minimal one: an applicant id the online store
    // holds and nothing else, not the model's features; it answers as is.
    expect(Object.keys(server.example)).toEqual(["applicant_id"]);
    expect(String(server.example.applicant_id)).toMatch(/^A\d+$/);
    const hinted = await post(`${server.url}/predict`, { records: [server.example] });
    expect(hinted.status, await hinted.clone().text()).toBe(200);

    // An applicant whose profile never changed after the decision: served features = the training row's.
    const lake = await Lake.open(path.join(dir, ".millrace/lake"));
    const [stable] = await lake.query(`
      SELECT t.* FROM gold.loan_training t WHERE applicant_id IN (
        SELECT applicant_id FROM silver.applicant_profiles GROUP BY applicant_id HAVING count(*) = 1)
      ORDER BY applicant_id LIMIT 1`);
    await lake.close();
    const res = await post(`${server.url}/predict`, { records: [{ applicant_id: stable.applicant_id }], return_features: true });
    const body: any = await res.json();
    expect(res.status).toBe(200);
    expect(body.provenance).toMatchObject({ model: "loan_approval", version: 1 });
    expect(body.predictions[0].probabilities).toBeDefined();
    expect(Object.keys(body.features[0]).length, JSON.stringify(body.features)).toBeGreaterThan(0); // else the loop checks nothing
    for (const [k, v] of Object.entries(body.features[0])) expect([k, v]).toEqual([k, stable[k]]);
    expect(Object.keys(body.feature_timestamps[0]).sort()).toEqual(["applicant_profile", "loan_request"]);

    // Lookups return feature values (data): with a token configured they need one with the read scope.
    expect((await fetch(`${server.url}/features/loan_approval?keys=A00002`)).status).toBe(401);
    const lookup: any = await (await fetch(`${server.url}/features/loan_approval?keys=${stable.applicant_id},A00002`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(lookup.features).toHaveLength(2);
    expect(lookup.features[0].loan_to_income).toBe(stable.loan_to_income);
    // An unknown key in a lookup is named by its place in the query's keys, not as a /predict body path.
    const unknownLookup = await fetch(`${server.url}/features/loan_approval?keys=A00002,NOPE`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(unknownLookup.status).toBe(404);
    expect(((await unknownLookup.json()) as any).path).toBe("keys[1]");

    const missing = await post(`${server.url}/predict`, { records: [{ applicant_id: "NOPE" }] });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).path).toBe("records[0].applicant_id");

    // A new loan request pushed for that applicant: materialized before the push answers, used by the next predict.
    const push = await post(
      `${server.url}/ingest/loan_requests`,
      JSON.stringify({ applicant_id: stable.applicant_id, requested_at: new Date().toISOString(), amount: 4321, price: 5000, term: 48 }) + "\n",
      { "content-type": "application/x-ndjson", authorization: `Bearer ${TOKEN}` },
    );
    const pushed: any = await push.json();
    expect(push.status).toBe(200);
    expect(pushed.features).toEqual([{ view: "loan_request", version: 2, mode: "incremental", written: 1, removed: 0 }]);
    const again: any = await (await post(`${server.url}/predict`, { records: [{ applicant_id: stable.applicant_id }], return_features: true })).json();
    expect(again.features[0]).toMatchObject({ amount: 4321, term: 48, loan_to_income: 4321 / Number(stable.income) });

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/millrace_feature_view_freshness_seconds\{view="loan_request"\} \d/);
    expect(metrics).toMatch(/millrace_feature_view_entities\{view="applicant_profile"\} 4454/);
  });
});
