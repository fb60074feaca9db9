// The dashboard API on a real project (the churn example with a search, run twice through the CLI, then served
// with shifted traffic): every page's data, and JSON 4xx errors with a message for every kind of bad request.
import fs from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject } from "../src/project/load-project.js";
import { uiRoutes, type UiRoutes } from "../src/ui-api/index.js";
import { cli, copyExample } from "./cli.js";
import { churnProject, logShiftedTraffic, type UiProject } from "./ui-fixture.js";

function appFor(dir: string): { app: Hono; ui: UiRoutes; logged: string[] } {
  const logged: string[] = [];
  const ui = uiRoutes(loadProject(dir), { uiDir: path.join(dir, "no-ui"), log: (l) => logged.push(l) });
  const app = new Hono();
  ui.mount(app);
  return { app, ui, logged };
}

async function get(app: Hono, url: string, status = 200): Promise<any> {
  const res = await app.request(url);
  const text = await res.text();
  expect(res.headers.get("content-type"), `${url}: ${text.slice(0, 200)}`).toMatch(/application\/json/);
  const body = JSON.parse(text);
  expect(res.status, `${url}: ${text.slice(0, 300)}`).toBe(status);
  if (status >= 400) expect(body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  return body;
}

describe("dashboard API on a project that has not run yet", () => {
  let dir: string;
  let h: ReturnType<typeof appFor>;
  beforeAll(() => {
    dir = copyExample();
    h = appFor(dir);
  });
  afterAll(async () => {
    await h.ui.close();
  });

  it("answers empty pages and says what to run", async () => {
    const o = await get(h.app, "/api/overview");
    expect(o).toMatchObject({ project: { name: "churn" }, model: { name: "churn", alias: "production", served: null, versions: 0 }, latestPipeline: null, counts: { runs: 0 } });
    expect(await get(h.app, "/api/runs")).toEqual({ runs: [], hasMore: false, metricKeys: [] });
    expect(await get(h.app, "/api/tables")).toEqual([]);
    expect((await get(h.app, "/api/models")).models).toEqual([]);
    expect(await get(h.app, "/api/pipeline-runs")).toEqual([]);
    for (const url of ["/api/pipeline-runs/latest", "/api/lineage", "/api/drift"]) {
      const e = await get(h.app, url, 404);
      expect(e.hint, url).toMatch(/millrace (run|models promote|serve)|promote/);
    }
    expect(h.logged).toEqual([]);
  });

  it("asks for the API token when the server has one, and only for /api", async () => {
    const ui = uiRoutes(loadProject(dir), { uiDir: path.join(dir, "no-ui"), token: "s3cret" });
    const app = new Hono();
    ui.mount(app);
    for (const auth of [undefined, "Bearer wrong", "s3cret", "Basic s3cret"]) {
      const res = await app.request("/api/overview", auth ? { headers: { authorization: auth } } : {});
      expect(res.status, String(auth)).toBe(401);
      expect(await res.json()).toMatchObject({ error: "unauthorized", hint: expect.stringContaining("Bearer") });
    }
    const ok = await app.request("/api/overview", { headers: { authorization: "Bearer s3cret" } });
    expect(ok.status).toBe(200);
    expect((await app.request("/ui/")).status).toBe(404); // the static files answer without a token (here: not built)
    await ui.close();
  });
});

describe("dashboard API on a project that ran", () => {
  let p: UiProject;
  let h: ReturnType<typeof appFor>;
  let top: any[];

  beforeAll(async () => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npm test builds it first (npm run build)");
    p = churnProject({ secondBatch: true });
    h = appFor(p.dir);
    top = (await get(h.app, "/api/runs")).runs;
  }, 240_000);
  afterAll(async () => {
    await h?.ui.close();
  });

  it("overview: the served version, its aliases and the latest pipeline run with its outcome", async () => {
    const o = await get(h.app, "/api/overview");
    const last = p.summaries.at(-1);
    expect(o.latestPipeline).toMatchObject({ id: last.pipelineRunId, status: "succeeded", durationMs: last.durationMs, tasks: { failed: 0 } });
    expect(o.latestPipeline.tasks.total).toBe(Object.keys(last.tasks).length);
    expect(o.latestPipeline.tables.count).toBe(last.tables.length);
    expect(o.latestPipeline.model).toMatchObject({ name: "churn", version: last.model.version, promoted: last.model.promoted, reason: last.model.reason });
    const served = last.model.promoted ? last.model.version : 1;
    expect(o.model).toMatchObject({ name: "churn", alias: "production", versions: 2, aliases: { production: served } });
    expect(o.model.served).toMatchObject({ version: served, stage: "Production" });
    expect(o.recentPipelines.map((r: any) => r.id)).toEqual([...p.summaries].reverse().map((s) => s.pipelineRunId));
    expect(o.counts.runs).toBe(top.length + 6); // each run's three search trials are counted too
  });

  it("pipeline: every recorded task is a DAG node with its state, duration and note, and edges follow dependencies", async () => {
    const last = p.summaries.at(-1);
    const d = await get(h.app, `/api/pipeline-runs/${last.pipelineRunId}`);
    const nodes = Object.fromEntries(d.dag.nodes.map((n: any) => [n.id, n]));
    for (const [id, t] of Object.entries<any>(last.tasks)) expect(nodes[id], id).toMatchObject({ state: t.state, ms: t.ms ?? null, note: t.note ?? null });
    expect(nodes["train:gbdt"].kind).toBe("train");
    const edges = d.dag.edges.map((e: any) => `${e.from}>${e.to}`);
    expect(edges).toEqual(expect.arrayContaining(["dataset>train:gbdt", "dataset>train:logistic", "train:gbdt>register", "ingest:bronze.customers>transform:silver.customers"]));
    expect(d.summary.pipelineRunId).toBe(last.pipelineRunId);
    expect((await get(h.app, "/api/pipeline-runs/latest")).id).toBe(last.pipelineRunId);
    expect((await get(h.app, `/api/pipeline-runs/${p.summaries[0].pipelineRunId.slice(0, 8)}`)).id).toBe(p.summaries[0].pipelineRunId);
    expect((await get(h.app, "/api/pipeline-runs?limit=1")).length).toBe(1);
    await get(h.app, "/api/pipeline-runs/no-such-run", 404);
    await get(h.app, "/api/pipeline-runs?limit=0", 400);
  });

  it("runs: trials fold under their parent; sort and filter by metric run on the server", async () => {
    expect(top.length).toBe(4); // two candidates × two pipeline runs
    expect(top.every((r: any) => r.parentRunId === null)).toBe(true);
    const parent = top.find((r: any) => r.tags.search_trials === "3");
    const trials = (await get(h.app, `/api/runs?parent=${parent.id}`)).runs;
    expect(trials).toHaveLength(3);
    expect(trials.every((t: any) => t.parentRunId === parent.id)).toBe(true);
    expect((await get(h.app, "/api/runs?parent=all&limit=100")).runs).toHaveLength(10);

    const sorted = (await get(h.app, "/api/runs?sort=roc_auc&order=asc")).runs.map((r: any) => r.metrics.roc_auc);
    expect(sorted).toEqual([...sorted].sort((a: number, b: number) => a - b));
    const best = Math.max(...sorted);
    const filtered = (await get(h.app, `/api/runs?where=${encodeURIComponent(`roc_auc>=${best}`)}`)).runs;
    expect(filtered.length).toBeGreaterThanOrEqual(1);
    expect(filtered.every((r: any) => r.metrics.roc_auc >= best)).toBe(true);
    const page = await get(h.app, "/api/runs?limit=3");
    expect(page).toMatchObject({ hasMore: true });
    expect(page.runs).toHaveLength(3);
    expect((await get(h.app, "/api/runs?limit=3&offset=3")).runs.map((r: any) => r.id)).toEqual([top[3].id]);
    expect(page.metricKeys).toContain("cv_roc_auc_mean");

    expect((await get(h.app, "/api/runs?where=auc%20is%20high", 400)).message).toContain("metric<op>number");
    expect((await get(h.app, "/api/runs?limit=-1", 400)).path).toBe("limit");
    expect((await get(h.app, "/api/runs?order=sideways", 400)).message).toContain("asc, desc");
    expect((await get(h.app, "/api/runs?status=done", 400)).path).toBe("status");
  });

  it("a run: its CV folds as a series, dataset, trials and the versions registered from it", async () => {
    const parent = top.find((r: any) => r.tags.search_trials === "3");
    const d = await get(h.app, `/api/runs/${parent.id}`);
    expect(d.run.id).toBe(parent.id);
    expect(d.series.cv_roc_auc.map((x: any) => x.step)).toEqual([0, 1, 2]);
    expect(d.series.roc_auc).toBeUndefined(); // logged once: not a series
    expect(d.children).toHaveLength(3);
    expect(d.dataset).toMatchObject({ id: parent.datasetId, table: { table: "gold.churn_training" } });
    const registered = p.summaries.filter((s) => s.model?.candidate === "gbdt" && s.candidates.find((c: any) => c.candidate === "gbdt").runId === parent.id);
    expect(d.models.map((m: any) => m.version)).toEqual(registered.map((s) => s.model.version));
    const trial = await get(h.app, `/api/runs/${d.children[0].id}`);
    expect(trial.parent).toMatchObject({ id: parent.id, name: parent.name });
    await get(h.app, "/api/runs/not-a-run", 404);
  });

  it("compare: runs side by side with the params that differ", async () => {
    const [a, b] = top;
    const c = await get(h.app, `/api/compare?ids=${a.id},${b.id}`);
    expect(c.runs.map((r: any) => r.id)).toEqual([a.id, b.id]);
    expect(Object.keys(c.series)).toEqual([a.id, b.id]);
    expect(c.differingParams).toContain("model");
    expect(c.metricKeys).toContain("roc_auc");
    expect((await get(h.app, `/api/compare?ids=${a.id}`, 400)).path).toBe("ids");
    expect((await get(h.app, `/api/compare?ids=${a.id},${a.id}`, 400)).message).toContain("got 1");
    await get(h.app, `/api/compare?ids=${a.id},nope`, 404);
  });

  it("models: versions with stage and aliases, one version's signature and example, the alias audit", async () => {
    const m = await get(h.app, "/api/models");
    expect(m.configured).toEqual({ name: "churn", alias: "production" });
    expect(m.models[0].versions.map((v: any) => v.version)).toEqual([2, 1]);
    const prod = m.models[0].versions.find((v: any) => v.aliases.includes("production"));
    expect(prod.stage).toBe("Production");
    expect(m.models[0].versions.map((v: any) => v.modelKind)).toEqual(p.summaries.map((s) => s.candidates.find((c: any) => c.candidate === s.model.candidate).model));
    const v1 = await get(h.app, "/api/models/churn/1");
    expect(v1.version.signature.inputs.map((f: any) => f.name)).toContain("tenure");
    expect(v1.version.inputExample).toMatchObject({ contract: expect.any(String) });
    expect(v1.run.id).toBe(v1.version.runId);
    // v1's history holds the move that made it production (and, when the gate promoted v2, the move away from it).
    expect(v1.transitions.find((t: any) => t.toVersion === 1)).toMatchObject({ alias: "production", toVersion: 1, actor: expect.any(String), reason: expect.any(String) });
    const audit = await get(h.app, "/api/models/churn/transitions");
    expect(audit.length).toBeGreaterThanOrEqual(1);
    expect(audit.map((t: any) => t.at)).toEqual([...audit.map((t: any) => t.at)].sort().reverse());
    await get(h.app, "/api/models/churn/99", 404);
    expect((await get(h.app, "/api/models/churn/first", 400)).path).toBe("version");
    expect((await get(h.app, "/api/models/churn/0", 400)).message).toContain("version number");
    // Each version carries its gate: the decision and reason from its run's tags, the checks from the pipeline run.
    const last = p.summaries[1].model;
    const v2 = await get(h.app, "/api/models/churn/2");
    expect(v2.gate).toMatchObject({ decision: last.promoted ? "promoted" : "rejected", reason: last.reason, pipelineRunId: expect.any(String) });
    expect(v2.gate.checks).toEqual(last.checks);
    expect(v1.gate).toMatchObject({ decision: "promoted", checks: expect.arrayContaining([expect.objectContaining({ name: "no production version", passed: true })]) });
  });

  it("predict: exactly the version named, with its provenance and flags, logging nothing", async () => {
    const post = (url: string, body: unknown) => h.app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const v1 = await get(h.app, "/api/models/churn/1");
    const example = v1.version.inputExample;
    for (const version of [1, 2]) {
      const res = await post(`/api/models/churn/${version}/predict`, { records: [example, { ...example, tenure: 9999 }] });
      expect(res.status).toBe(200);
      const a = (await res.json()) as any;
      expect(a.provenance).toMatchObject({ model: "churn", version, alias: null, runId: expect.any(String), artifactUri: expect.any(String) });
      expect(a.predictions).toHaveLength(2);
      expect(Object.keys(a.predictions[0].probabilities).sort()).toEqual([...v1.version.signature.output.classes].sort());
      expect(a.flags).toEqual([expect.objectContaining({ path: "records[1].tenure", reason: "above_training_max" })]);
    }
    const byAlias: any = await (await post("/api/models/churn/production/predict", { records: [example] })).json();
    expect(byAlias.provenance).toMatchObject({ alias: "production", version: p.summaries[1].model.promoted ? 2 : 1 });
    const bad = await post("/api/models/churn/1/predict", { records: [{ ...example, tenure: "long" }] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "validation_error", path: "records[0].tenure" });
    expect((await post("/api/models/churn/99/predict", { records: [example] })).status).toBe(404);
  });

  it("tables: versions, history, a column profile, first rows and the diff of two versions", async () => {
    const tables = await get(h.app, "/api/tables");
    expect(tables.map((t: any) => t.layer)).toEqual([...tables.map((t: any) => t.layer)].sort((a: string, b: string) => ["bronze", "silver", "gold"].indexOf(a) - ["bronze", "silver", "gold"].indexOf(b)));
    expect(tables.find((t: any) => t.table === "bronze.customers")).toMatchObject({ version: 2, layer: "bronze" });
    const t = await get(h.app, "/api/tables/bronze.customers");
    expect(t.history.map((x: any) => x.version)).toEqual([2, 1]);
    expect(t.history[0]).toMatchObject({ operation: "append", sourceFiles: 1 }); // the March file
    const prof = await get(h.app, "/api/tables/silver.customers/profile?version=1");
    const tenure = prof.columns.find((c: any) => c.name === "tenure");
    expect(tenure.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(prof.rowCount - tenure.nulls);
    expect(prof.columns.find((c: any) => c.name === "contract").top.map((x: any) => x.value).sort()).toEqual(["Month-to-month", "One year", "Two year"]);
    const rows = await get(h.app, "/api/tables/silver.customers/preview?limit=5");
    expect(rows.rows).toHaveLength(5);
    expect(rows.columns).toContain("customer_id");
    expect(rows.rows[0]).toHaveLength(rows.columns.length);
    const diff = await get(h.app, "/api/tables/bronze.customers/diff?from=1&to=2");
    expect(diff).toMatchObject({ from: 1, to: 2, rowCount: { delta: 150 }, contentChanged: true, files: { added: 1 } });
    const keyed = await get(h.app, "/api/tables/gold.dim_customer/diff?key=customer_id,valid_from");
    expect(keyed.rows).toMatchObject({ key: ["customer_id", "valid_from"] });
    expect((await get(h.app, "/api/tables/silver.customers/diff?from=1&to=1&key=nope", 400)).message).toContain("nope");
    expect((await get(h.app, "/api/tables/..%2F..%2Fetc", 400)).path).toBe("table");
    await get(h.app, "/api/tables/gold.nope", 404);
    expect((await get(h.app, "/api/tables/silver.customers/profile?version=9", 404)).hint).toContain("versions: ");
    await get(h.app, "/api/tables/silver.customers/preview?limit=100000", 400);
  });

  it("lineage: the served version back to the source files with their hashes, and forward from a table", async () => {
    const g = await get(h.app, "/api/lineage?ref=churn@1");
    expect(g.root).toBe("model:churn@1");
    const kinds = new Set(g.nodes.map((n: any) => n.kind));
    expect([...kinds].sort()).toEqual(["dataset", "file", "model", "run", "table"]);
    const files = g.nodes.filter((n: any) => n.kind === "file");
    expect(files.map((f: any) => f.label).sort()).toEqual(["customers-2026-01.csv", "customers-2026-02.csv"]);
    expect(files.every((f: any) => /^file:.*#[0-9a-f]{64}$/.test(f.id) && f.detail.some((d: string) => d.startsWith("sha256 ")))).toBe(true);
    const ids = new Set(g.nodes.map((n: any) => n.id));
    expect(g.edges.every((e: any) => ids.has(e.from) && ids.has(e.to))).toBe(true);
    // v2 learned from bronze v2, which appended March to v1: its lineage reaches all three landing files, as
    // `millrace lineage churn@2` does (the dashboard used to show only the file that version added).
    const v2 = await get(h.app, "/api/lineage?ref=churn@2");
    expect(v2.nodes.filter((n: any) => n.kind === "file").map((f: any) => f.label).sort()).toEqual(["customers-2026-01.csv", "customers-2026-02.csv", "customers-2026-03.csv"]);
    const down = await get(h.app, "/api/lineage?ref=bronze.customers@1&direction=down");
    expect(down.nodes.map((n: any) => n.id)).toContain("model:churn@1");
    expect((await get(h.app, "/api/lineage")).root).toMatch(/^model:churn@\d$/);
    expect((await get(h.app, "/api/lineage?ref=churn", 400)).hint).toContain("model@version");
    await get(h.app, "/api/lineage?ref=churn@99", 404);
    await get(h.app, "/api/lineage?ref=silver.customers@1&direction=sideways", 400);
  });

  it("drift: a 404 that says to serve before traffic, then per-column verdicts and both distributions", async () => {
    expect((await get(h.app, "/api/drift", 404)).hint).toContain("millrace serve");
    await logShiftedTraffic(p.dir);
    const d = await get(h.app, "/api/drift");
    expect(d.report.currentRows).toBe(240);
    expect(d.report.columns.length).toBe(d.report.columns.filter((c: any) => typeof c.drifted === "boolean").length);
    const tenure = d.report.columns.find((c: any) => c.column === "tenure");
    expect(tenure.drifted).toBe(true);
    expect(d.distributions.tenure.kind).toBe("numeric");
    expect(d.distributions.tenure.current.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    expect(d.distributions.contract.kind).toBe("categorical");
    expect(d.enoughRows).toBe(true);
    // 40 rows is under monitor.min_rows (100): statistics still come back, flagged as no verdict yet.
    const few = await get(h.app, "/api/drift?limit=40");
    expect(few.report.currentRows).toBe(40);
    expect(few).toMatchObject({ enoughRows: false, minRows: 100 });
    await get(h.app, "/api/drift?version=7", 404);
    await get(h.app, "/api/drift?limit=abc", 400);
  });

  it("refuses writes and unknown routes with JSON", async () => {
    const post = await h.app.request("/api/runs", { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    expect(await post.json()).toMatchObject({ error: "method_not_allowed", message: expect.stringContaining("read-only") });
    expect((await get(h.app, "/api/nothing-here", 404)).hint).toContain("/api/overview");
    expect(h.logged).toEqual([]);
  });
});
