// GET /api/models/{name}/{version}/evaluation on a real churn project run through the CLI: the version's artifact
// scores its dataset's test rows and the report agrees with the metrics training registered; it is kept as a run
// artifact that a fresh server reads instead of computing again. Bad versions are 4xx naming the field.
import path from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { churnProject, type UiProject } from "../../test/ui-fixture.js";
import { loadProject } from "../project/load-project.js";
import { uiRoutes, type UiRoutes } from "./index.js";

function appFor(dir: string): { app: Hono; ui: UiRoutes } {
  const ui = uiRoutes(loadProject(dir), { uiDir: path.join(dir, "no-ui"), log: (l) => console.error(l) });
  const app = new Hono();
  ui.mount(app);
  return { app, ui };
}

async function get(app: Hono, url: string, status = 200): Promise<any> {
  const res = await app.request(url);
  const body = await res.json();
  expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(status);
  return body;
}

describe("version evaluation API", () => {
  let p: UiProject;
  const apps: ReturnType<typeof appFor>[] = [];
  beforeAll(() => {
    p = churnProject();
  }, 180_000);
  afterAll(async () => {
    for (const a of apps) await a.ui.close();
  });

  it("scores the test rows and agrees with the registered test metrics", async () => {
    const h = appFor(p.dir);
    apps.push(h);
    const v = p.summaries[0].model.version;
    const detail = await get(h.app, `/api/models/churn/${v}`);
    const e = await get(h.app, `/api/models/churn/${v}/evaluation`);
    expect(e).toMatchObject({ model: "churn", version: v, task: "binary", datasetId: detail.dataset.id, testRows: detail.dataset.split.testRows });
    const keys = Object.keys(e.metrics);
    expect(keys).toEqual(expect.arrayContaining(["roc_auc", "accuracy", "log_loss", "pr_auc"]));
    for (const k of keys) expect(e.metrics[k], k).toBeCloseTo(detail.version.metrics[k], 9);
    expect(e.binary.roc.auc).toBeCloseTo(detail.version.metrics.roc_auc, 9);
    expect(e.binary.pr.averagePrecision).toBeCloseTo(detail.version.metrics.pr_auc, 9);
    // The threshold slider's 0.5 is the threshold the metrics use.
    const at = e.binary.byThreshold.threshold.indexOf(0.5);
    const { tp, fp, fn, tn } = e.binary.byThreshold;
    expect((tp[at] + tn[at]) / e.testRows).toBeCloseTo(detail.version.metrics.accuracy, 9);
    expect(tp[at] + fp[at] + fn[at] + tn[at]).toBe(e.testRows);
    expect(e.importance.features.map((f: any) => f.feature).sort()).toEqual(detail.version.signature.inputs.map((f: any) => f.name).sort());
    expect(e.importance.features[0].drop).toBeGreaterThan(0);
    // gbdt and logistic both explain: mean |SHAP| per input column, largest first, over the test rows.
    expect(e.shap).toMatchObject({ output: "Yes", rows: Math.min(e.testRows, 1000) });
    expect(e.shap.features.map((f: any) => f.feature).sort()).toEqual(detail.version.signature.inputs.map((f: any) => f.name).sort());
    expect(e.shap.features[0].meanAbs).toBeGreaterThan(0);
    // Kept on the run, so a new server reads it instead of computing it again.
    const run = await get(h.app, `/api/runs/${detail.version.runId}`);
    expect(run.run.artifacts.some((u: string) => u.includes(`evaluation-churn-v${v}`))).toBe(true);
    const fresh = appFor(p.dir);
    apps.push(fresh);
    const again = await get(fresh.app, `/api/models/churn/${v}/evaluation`);
    expect(again.computedAt).toBe(e.computedAt);
  }, 120_000);

  it("answers a missing version 404 and a bad one 400 naming the field", async () => {
    const h = apps[0] ?? appFor(p.dir);
    expect((await get(h.app, "/api/models/churn/99/evaluation", 404)).message).toMatch(/no version 99/);
    expect(await get(h.app, "/api/models/churn/x/evaluation", 400)).toMatchObject({ path: "version" });
  });

  it("lists the metric registry's directions", async () => {
    const h = apps[0] ?? appFor(p.dir);
    const { metrics } = await get(h.app, "/api/metric-definitions");
    const by = new Map(metrics.map((m: any) => [m.name, m.higherIsBetter]));
    expect([by.get("log_loss"), by.get("roc_auc"), by.get("rmse"), by.get("r2")]).toEqual([false, true, false, true]);
  });
});
