// End to end on the bundled churn example, through the real CLI: run → serve → predict → drift → rerun →
// new landing file → quality failure. Every stage is the real one (DuckDB, SQLite, HTTP, learners).
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, copyExample, millrace, startServe } from "./cli.js";

const dataLines = (file: string) => fs.readFileSync(file, "utf8").trim().split("\n").length - 1;

const post = (url: string, body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  fetch(url, { method: "POST", body, headers });

describe("churn example end to end", () => {
  let dir: string;
  let server: { url: string; proc: ChildProcess; example: Record<string, unknown> } | undefined;

  beforeAll(() => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npm test builds it first (npm run build)");
    dir = copyExample();
  });
  afterAll(() => {
    server?.proc.kill("SIGTERM");
  });

  it("runs the whole pipeline and promotes a model with test ROC-AUC ≥ 0.83", () => {
    const r = millrace(["run", dir, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = r.json;
    expect(s.status).toBe("succeeded");
    const landed = ["customers-2026-01.csv", "customers-2026-02.csv"].map((f) => dataLines(path.join(dir, "data/landing", f)));
    expect(s.ingest).toEqual([expect.objectContaining({ table: "bronze.customers", version: 1, rowsIn: landed[0] + landed[1], rowsOut: landed[0] + landed[1], rowsBad: 0, filesSkipped: 0 })]);
    const rows = Object.fromEntries(s.tables.map((t: any) => [t.table, [t.version, t.rows]]));
    expect(rows["silver.customers"]).toEqual([1, 7043]);
    expect(rows["gold.churn_training"]).toEqual([1, 7043]);
    // The SCD2 dimension keeps January and February rows of the customers who renegotiated.
    expect(rows["gold.dim_customer"]).toEqual([1, landed[0] + landed[1]]);
    expect(rows["gold.mart_churn_by_contract"][1]).toBe(12);
    const totalCharges = s.checks.flatMap((c: any) => c.results).find((x: any) => x.column === "total_charges");
    expect(totalCharges).toMatchObject({ rule: "not_null", severity: "warn", passed: false, failing: 11 });
    expect(s.checks.flatMap((c: any) => c.results).find((x: any) => x.rule === "relationships")).toMatchObject({ passed: true });
    expect(s.dataset).toMatchObject({ table: "gold.churn_training", version: 1, rows: 7043 });
    expect(s.dataset.trainRows + s.dataset.testRows).toBe(7043);
    expect(s.candidates.map((c: any) => c.candidate).sort()).toEqual(["gbdt", "logistic"]);
    for (const c of s.candidates) {
      for (const k of ["accuracy", "precision", "recall", "f1", "roc_auc", "log_loss"]) expect(Number.isFinite(c.test[k])).toBe(true);
      expect(c.cv.roc_auc_mean).toBeGreaterThan(0.8);
    }
    expect(s.model).toMatchObject({ name: "churn", version: 1, promoted: true, alias: "production" });
    const best = Math.max(...s.candidates.map((c: any) => c.test.roc_auc));
    expect(best).toBeGreaterThanOrEqual(0.83);
  });

  it("lists the runs and the model version, with lineage from model to the source file", () => {
    const runs = millrace(["runs", "-p", dir, "--json"]).json;
    expect(runs).toHaveLength(2);
    expect(runs.every((r: any) => r.status === "finished" && r.datasetId && r.artifacts.length === 1 && r.durationMs > 0)).toBe(true);
    const models = millrace(["models", "-p", dir, "--json"]).json;
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ name: "churn", version: 1, aliases: ["production"] });
    expect(models[0].signature.inputs.map((f: any) => f.name)).toContain("tenure");
    const lineage = millrace(["lineage", "churn@1", "-p", dir, "--json"]).json;
    expect(lineage.run.id).toBe(models[0].runId);
    expect(lineage.dataset.id).toBe(models[0].datasetId);
    const files: any[] = [];
    const walk = (n: any) => {
      files.push(...n.sourceFiles);
      n.parents.forEach(walk);
    };
    walk(lineage.tables);
    expect(files.map((f) => path.basename(f.path)).sort()).toEqual(["customers-2026-01.csv", "customers-2026-02.csv"]);
    expect(files.every((f) => /^[0-9a-f]{64}$/.test(f.hash))).toBe(true);
  });

  it("serves predictions with provenance in body and headers", async () => {
    server = await startServe(dir);
    expect(Object.keys(server.example)).toContain("contract");
    const res = await post(`${server.url}/predict`, JSON.stringify({ records: [server.example, { ...server.example, contract: "Two year", tenure: 70 }] }));
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.predictions).toHaveLength(2);
    const p = body.predictions[0];
    expect(["Yes", "No"]).toContain(p.label);
    expect(p.probabilities.Yes + p.probabilities.No).toBeCloseTo(1, 6);
    const models = millrace(["models", "-p", dir, "--json"]).json;
    expect(body.provenance).toEqual({
      model: "churn",
      version: 1,
      alias: "production",
      runId: models[0].runId,
      datasetId: models[0].datasetId,
      datasetHash: models[0].datasetHash,
      artifactUri: models[0].artifactUri,
    });
    expect(res.headers.get("x-millrace-model")).toBe("churn");
    expect(res.headers.get("x-millrace-version")).toBe("1");
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/# TYPE \S+ histogram/);
  });

  it("scores values outside the training range but flags them in the answer and the metrics", async () => {
    const res = await post(`${server!.url}/predict`, JSON.stringify({ records: [server!.example, { ...server!.example, tenure: -500, female: 7 }] }));
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.predictions).toHaveLength(2);
    const flagged = JSON.stringify(body);
    expect(flagged).toContain("records[1].tenure");
    expect(flagged).toContain("below_training_min");
    expect(flagged).toContain("records[1].female");
    expect(flagged).toContain("above_training_max");
    expect(flagged).not.toContain("records[0]");
    const metrics = await (await fetch(`${server!.url}/metrics`)).text();
    expect(metrics).toMatch(/millrace_predict_out_of_range_total\{[^}]*field="tenure"[^}]*\} 1/);
  });

  it("answers bad requests with a 4xx naming the field, never a 500", async () => {
    const url = `${server!.url}/predict`;
    const ex = server!.example;
    const { tenure: _t, ...missing } = ex;
    const cases: [string, string, Record<string, string>?][] = [
      ["missing field", JSON.stringify({ records: [missing] })],
      ["wrong type", JSON.stringify({ records: [{ ...ex, tenure: "twelve" }] })],
      ["unknown category", JSON.stringify({ records: [{ ...ex, contract: "Lifetime" }] })],
      ["malformed JSON", '{"records": [{"tenure": 1,'],
      ["not records", JSON.stringify({ rows: [] })],
      ["oversized body", JSON.stringify({ records: [{ ...ex, payment_method: "x".repeat(11 * 1024 * 1024) }] })],
      ["wrong content type", JSON.stringify({ records: [ex] }), { "content-type": "text/plain" }],
    ];
    const seen: Record<string, [number, any]> = {};
    for (const [name, body, headers] of cases) {
      const res = await post(url, body, headers);
      const text = await res.text();
      expect(res.status, name).toBeGreaterThanOrEqual(400);
      expect(res.status, name).toBeLessThan(500);
      expect(text, name).not.toMatch(/at .*\.js:\d+/);
      seen[name] = [res.status, JSON.parse(text)];
    }
    expect(seen["missing field"][1].path).toBe("records[0].tenure");
    expect(seen["wrong type"][1].path).toBe("records[0].tenure");
    expect(seen["unknown category"][1].path).toBe("records[0].contract");
    expect(seen["oversized body"][0]).toBe(413);
    expect(seen["wrong content type"][0]).toBe(415);
    expect((await fetch(`${server!.url}/health`)).status).toBe(200);
  });

  it("logs served predictions and reports drift per column with thresholds", async () => {
    const ex = server!.example;
    // The few predictions of the tests above are under monitor.min_rows: statistics, but no verdict and exit 0.
    const early = millrace(["drift", dir]);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout).toMatch(/no verdict: \d+ logged rows, fewer than monitor\.min_rows = 100/);
    // Shifted traffic: long-tenure customers on two-year contracts only.
    const records = Array.from({ length: 300 }, (_, i) => ({ ...ex, tenure: 60 + (i % 12), contract: "Two year", monthly_charges: 100 + (i % 20) }));
    for (let i = 0; i < 3; i++) expect((await post(`${server!.url}/predict`, JSON.stringify({ records }))).status).toBe(200);
    // The log flushes in the background: wait until drift sees the 900 shifted rows rather than for a fixed time.
    let d = millrace(["drift", dir, "--json"]);
    for (let i = 0; i < 50 && !(d.json?.report?.currentRows >= 900); i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = millrace(["drift", dir, "--json"]);
    }
    expect(d.json?.report, d.stderr).toBeTruthy();
    const report = d.json.report;
    expect(d.json.enoughRows).toBe(true);
    expect(d.code).toBe(3); // the shifted traffic drifts the dataset
    expect(report.currentRows).toBeGreaterThanOrEqual(900);
    const tenure = report.columns.find((c: any) => c.column === "tenure");
    expect(tenure).toMatchObject({ kind: "numeric", drifted: true });
    expect(tenure.threshold).toBeGreaterThan(0);
    expect(tenure.psi).toBeGreaterThan(0.25);
    const contract = report.columns.find((c: any) => c.column === "contract");
    expect(contract).toMatchObject({ kind: "categorical", drifted: true });
    const gender = report.columns.find((c: any) => c.column === "female");
    expect(gender).toBeDefined();
  });

  it("a rerun with no new files ingests nothing and registers no new version", () => {
    const r = millrace(["run", dir, "--json"]);
    expect(r.code).toBe(0);
    expect(r.json.ingest[0]).toMatchObject({ version: 1, filesSkipped: 2, filesIngested: [] });
    expect(r.json.tables.every((t: any) => t.reused)).toBe(true);
    expect(r.json.training.trained).toBe(false);
    expect(r.json.model).toBeUndefined();
    expect(millrace(["models", "-p", dir, "--json"]).json).toHaveLength(1);
  });

  it("a new landing file with malformed rows is counted, appended and retrained through the gate", () => {
    // 200 new customers in March, plus a row with too few columns and one with an unterminated quote.
    const lines = fs.readFileSync(path.join(dir, "data/landing/customers-2026-01.csv"), "utf8").trim().split("\n");
    const march = lines.slice(1, 201).map((l, i) => l.replace(/^"C\d+","2026-01-01"/, `"M${String(i).padStart(5, "0")}","2026-03-01"`));
    // One March row has a negative bill: silver's range rule (quarantine: true) sets it aside.
    const negative = march[0].replace('"M00000"', '"M80000"').replace(/,[\d.]+,([\d.]*)$/, ",-5,$1");
    const extra = [lines[0], ...march, negative, '"M90000","2026-03-01","No",1,0,1', '"M90001","2026-03-01","Yes",0,0,0,0,"unclosed quote,1,0'];
    fs.writeFileSync(path.join(dir, "data/landing/customers-2026-03.csv"), extra.join("\n") + "\n");
    const r = millrace(["run", dir, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const ing = r.json.ingest[0];
    expect(ing.version).toBe(2);
    expect(ing.filesIngested).toHaveLength(1);
    expect(ing.rowsBad).toBeGreaterThanOrEqual(2);
    expect(ing.rowsOut).toBe(201);
    const silver = r.json.tables.find((t: any) => t.table === "silver.customers");
    expect(silver).toMatchObject({ rows: 7243, quarantined: 1 });
    expect(r.json.tables.find((t: any) => t.table === "gold.churn_training").rows).toBe(7243);
    // Quarantined rows keep their reason and source line.
    const q = millrace(["query", "select line, reason from bronze.customers__quarantine order by line", "-p", dir, "--json"]).json;
    expect(q.length).toBeGreaterThanOrEqual(2);
    expect(q.every((row: any) => typeof row.reason === "string" && row.reason.length > 0)).toBe(true);
    expect(r.json.training.trained).toBe(true);
    expect(r.json.model.version).toBe(2);
    expect(typeof r.json.model.promoted).toBe("boolean");
    expect(r.json.model.checks.some((c: any) => c.name === "beats production v1")).toBe(true);
  });

  it("an error-level check failure stops the run before training, names table, column, rule and count, and publishes nothing", () => {
    const before = millrace(["models", "-p", dir, "--json"]).json;
    const tablesBefore = millrace(["tables", "-p", dir, "--json"]).json;
    const header = fs.readFileSync(path.join(dir, "data/landing/customers-2026-01.csv"), "utf8").split("\n")[0];
    const row = '"X00001","2026-04-01","Maybe",1,0,1,0,5,0,"No phone service","DSL","No","Yes","No","No","No","No","Month-to-month",1,"Electronic check",29.85,149.25';
    fs.writeFileSync(path.join(dir, "data/landing/customers-2026-04.csv"), `${header}\n${row}\n`);
    const r = millrace(["run", dir, "--json"]);
    expect(r.code).toBe(1);
    expect(r.json.status).toBe("failed");
    expect(r.json.failure.task).toBe("transform:silver.customers");
    expect(r.json.failure.message).toContain("silver.customers.churn accepted_values: 1 of");
    expect(r.json.tasks.dataset.state).toBe("skipped");
    expect(r.json.candidates).toEqual([]);
    expect(millrace(["models", "-p", dir, "--json"]).json).toEqual(before);
    // Write-audit-publish: the failing silver version was never committed; bronze took the new file (it has no rules).
    const tablesAfter = millrace(["tables", "-p", dir, "--json"]).json;
    const version = (ts: any[], t: string) => ts.find((x) => x.table === t).version;
    expect(version(tablesAfter, "silver.customers")).toBe(version(tablesBefore, "silver.customers"));
    expect(version(tablesAfter, "bronze.customers")).toBe(version(tablesBefore, "bronze.customers") + 1);
    expect(r.json.checks.find((c: any) => c.table.table === "silver.customers").results.length).toBe(7);
    const human = millrace(["run", dir]);
    expect(human.code).toBe(1);
    expect(human.stdout + human.stderr).toMatch(/FAIL/);
  });
});
