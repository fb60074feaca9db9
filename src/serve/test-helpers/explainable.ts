// Real models that explain their predictions (a GBDT, logistic and linear regression) on a small synthetic churn frame,
// served as a ServedModel, and a server over them with the node fast path on, as `millrace serve` runs.
import { trainCandidate } from "../../learn/train.js";
import type { Frame } from "../../records.js";
import { Rng } from "../../learn/rng.js";
import { createApp, type App } from "../app.js";
import { startServer, type RunningServer } from "../server.js";
import type { ServedModel } from "../types.js";
import { churnModel } from "./logistic.js";

/** `tenure` (number), `plan` (a, b, c) → `left` (yes/no) or, for regression, `spend` (number). */
function frameOf(n: number): Frame {
  const rng = new Rng(5);
  const tenure = Float64Array.from({ length: n }, () => rng.int(72));
  const plan = Array.from({ length: n }, () => ["a", "b", "c"][rng.int(3)]);
  const left = Array.from({ length: n }, (_, i) => (tenure[i] < 20 + (plan[i] === "a" ? 15 : 0) + 10 * rng.normal() ? "yes" : "no"));
  const spend = Float64Array.from({ length: n }, (_, i) => 30 + 0.5 * tenure[i] + (plan[i] === "c" ? 12 : 0) + rng.normal());
  return { rowCount: n, columns: [{ name: "tenure", kind: "numeric", values: tenure }, { name: "plan", kind: "categorical", values: plan }, { name: "left", kind: "categorical", values: left }, { name: "spend", kind: "numeric", values: spend }] };
}

/**
 * A model trained on the frame: "gbdt" or "logistic_regression" (binary on left), "linear_regression" (spend),
 * "gbdt_multiclass" (plan from tenure and spend: three explained outputs).
 */
export async function explainableServed(model: "gbdt" | "logistic_regression" | "linear_regression" | "gbdt_multiclass", name = "left"): Promise<ServedModel> {
  const regression = model === "linear_regression";
  const multiclass = model === "gbdt_multiclass";
  const learner = multiclass ? "gbdt" : model;
  const r = await trainCandidate({
    frame: frameOf(400), target: regression ? "spend" : multiclass ? "plan" : "left", features: multiclass ? ["tenure", "spend"] : ["tenure", "plan"],
    task: regression ? "regression" : multiclass ? "multiclass" : "binary", ...(regression || multiclass ? {} : { positive: "yes" }),
    testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: learner, model: learner, params: learner === "gbdt" ? { n_estimators: 60 } : {} },
  });
  return { predictor: r.model, provenance: { ...churnModel(1).provenance, model: name } };
}

const running: RunningServer[] = [];

/**
 * A real HTTP server (node fast path and Hono) over one served model, closed by closeServers; `fastHits` counts the
 * requests the fast path took.
 */
export async function serveOne(served: ServedModel): Promise<{ app: App; server: RunningServer; fastHits: () => number }> {
  const app = createApp({ models: { current: () => served } });
  let hits = 0;
  const server = await startServer({ fetch: (q) => app.fetch(q), node: (q, s) => (app.node(q, s) ? (hits++, true) : false) }, { port: 0 });
  running.push(server);
  return { app, server, fastHits: () => hits };
}

/** Closes every server serveOne started (afterAll). */
export async function closeServers(): Promise<void> {
  for (const s of running.splice(0)) await s.close();
}

/** POSTs JSON to the server; status and parsed body. */
export async function postJson(server: RunningServer, path: string, body: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field
  const res = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export const logit = (p: number): number => Math.log(p / (1 - p));
