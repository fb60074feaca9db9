// The whole monitoring loop over real HTTP: serve → shifted traffic → drift alert → retrain → gate → promote → new version served.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import type { Frame, Provenance } from "../records.js";
import { createApp } from "../serve/app.js";
import { ReloadingSource } from "../serve/reload.js";
import { startServer } from "../serve/server.js";
import { churnSignature, fitLogistic, LogisticPredictor, sigmoid } from "../serve/test-helpers/logistic.js";
import type { ServedModel } from "../serve/types.js";
import { AlertManager, type Alert } from "./alerts.js";
import { DriftMonitor } from "./drift-monitor.js";
import { FeedbackJoiner, liveMetrics } from "./feedback.js";
import { readPredictions } from "./log-reader.js";
import { PredictionLog } from "./prediction-log.js";
import { fanOut } from "./sinks.js";
import { rng } from "../serve/test-helpers/rng.js";

/** The world: who churns. After the shift customers are newer, pay more, and paperless billing drives churn. */
function world(n: number, seed: number, shifted: boolean) {
  const r = rng(seed);
  const records: Record<string, unknown>[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const tenure = Math.floor(shifted ? r() * 24 : r() * 72);
    const monthly = 20 + r() * 100 + (shifted ? 40 : 0);
    const u = r();
    const contract = shifted ? (u < 0.2 ? "Month-to-month" : u < 0.6 ? "One year" : "Two year") : u < 0.55 ? "Month-to-month" : u < 0.8 ? "One year" : "Two year";
    const paperless = r() < (shifted ? 0.8 : 0.5);
    const z = shifted ? -2.5 + (paperless ? 3.5 : 0) - 0.02 * tenure : 1 - 0.06 * tenure + (contract === "Month-to-month" ? 1.5 : -1) + 0.005 * monthly;
    records.push({ tenure, monthly_charges: monthly, total_charges: tenure * monthly, contract, payment_method: null, paperless_billing: paperless });
    labels.push(r() < sigmoid(z) ? "Yes" : "No");
  }
  return { records, labels };
}

function toFrame(records: Record<string, unknown>[]): Frame {
  return {
    rowCount: records.length,
    columns: [
      { name: "tenure", kind: "numeric", values: Float64Array.from(records, (r) => r.tenure as number) },
      { name: "monthly_charges", kind: "numeric", values: Float64Array.from(records, (r) => r.monthly_charges as number) },
      { name: "contract", kind: "categorical", values: records.map((r) => r.contract as string) },
      { name: "paperless_billing", kind: "categorical", values: records.map((r) => String(r.paperless_billing)) },
    ],
  };
}

function model(version: number, records: Record<string, unknown>[], labels: string[]): ServedModel {
  const provenance: Provenance = { model: "churn", version, alias: "production", runId: `run-${version}`, datasetId: `ds-${version}`, datasetHash: `h${version}`, artifactUri: `mem://churn/${version}` };
  return { predictor: new LogisticPredictor(churnSignature, fitLogistic(records, labels)), provenance };
}

const accuracy = (m: ServedModel, records: Record<string, unknown>[], labels: string[]) =>
  liveMetrics(m.predictor.predictRecords(records).map((output, i) => ({ output, label: labels[i] }))).accuracy;

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("monitoring loop", () => {
  it("catches drift in served traffic, retrains, gates and serves the new version", async () => {
    dir = await mkdtemp(join(tmpdir(), "millrace-loop-"));
    // Train v1 on the old world; its test accuracy is what decay is measured against.
    const train = world(1500, 1, false);
    const test = world(500, 2, false);
    const versions = new Map<number, ServedModel>([[1, model(1, train.records, train.labels)]]);
    const trainingMetrics = new Map([[1, { accuracy: accuracy(versions.get(1)!, test.records, test.labels) }]]);
    const alias = { production: 1 };
    const source = new ReloadingSource({ resolve: async () => `churn@${alias.production}`, load: async (k) => versions.get(Number(k.split("@")[1]))! }, { intervalMs: 0 });
    await source.start();

    const registry = new Registry();
    const log = new PredictionLog({ dir, flushIntervalMs: 10 });
    const joiner = new FeedbackJoiner({ registry, reference: (_m, v) => ({ metrics: trainingMetrics.get(v) ?? {}, positive: "Yes" }) });
    const app = createApp({ models: source, sink: fanOut(log, joiner), feedback: (b) => joiner.handle(b), token: "tok", metrics: registry, reload: () => source.reload() });
    const server = await startServer(app, { port: 0 });
    const post = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer tok" }, body: JSON.stringify(body) });

    // Shifted traffic, with labels arriving later through /feedback.
    const live = world(600, 3, true);
    const labelById = new Map<string, string>();
    for (let b = 0; b < live.records.length; b += 50) {
      const res = await post("/predict", { records: live.records.slice(b, b + 50) });
      const { ids } = (await res.json()) as { ids: string[] };
      ids.forEach((id, i) => labelById.set(id, live.labels[b + i]));
      const fb = await post("/feedback", { feedback: ids.map((id) => ({ id, label: labelById.get(id) })) });
      expect(((await fb.json()) as { joined: number }).joined).toBe(ids.length);
    }
    await log.flush();
    const decay = joiner.status("churn", 1).decay.accuracy;
    expect(decay).toBeGreaterThan(0.1);

    // Drift alert → retrain on the labelled recent traffic → gate on a holdout → promote.
    const gateLog: string[] = [];
    const alerts = new AlertManager({
      rules: [
        { name: "input-drift", on: "drift", actions: ["metric", "retrain"] },
        { name: "accuracy-decay", on: "decay", metric: "accuracy", threshold: 0.05, actions: ["metric"] },
      ],
      registry,
      onRetrain: async (alert: Alert) => {
        const logged = (await readPredictions(dir, alert.model, alert.version)).predictions.filter((p) => labelById.has(p.id));
        const rows = logged.map((p) => p.inputs);
        const ys = logged.map((p) => labelById.get(p.id)!);
        const cut = Math.floor(rows.length * 0.7);
        const candidate = model(2, rows.slice(0, cut), ys.slice(0, cut));
        const champ = accuracy(versions.get(1)!, rows.slice(cut), ys.slice(cut))!;
        const chall = accuracy(candidate, rows.slice(cut), ys.slice(cut))!;
        gateLog.push(`champion ${champ.toFixed(3)} challenger ${chall.toFixed(3)}`);
        if (chall <= champ) return;
        versions.set(2, candidate);
        trainingMetrics.set(2, { accuracy: chall });
        alias.production = 2;
        await post("/reload", {});
      },
    });
    const monitor = new DriftMonitor({ root: dir, registry, alerts, targets: () => [{ model: "churn", version: 1, reference: toFrame(train.records), signature: churnSignature }] });
    const fired = await monitor.runOnce();
    fired.push(...(await alerts.evaluate({ kind: "decay", model: "churn", version: 1, decay: joiner.status("churn", 1).decay })));
    expect(fired.map((a) => a.rule)).toEqual(["input-drift", "accuracy-decay"]);
    expect(gateLog).toHaveLength(1);

    const after = await post("/predict", { records: [live.records[0]] });
    expect(after.headers.get("x-millrace-version")).toBe("2");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/millrace_dataset_drift\{model="churn",version="1"\} 1/);
    expect(metrics).toMatch(/millrace_drift_score\{model="churn",version="1",column="tenure",method="wasserstein"\}/);
    expect(metrics).toMatch(/millrace_metric_decay\{model="churn",version="1",metric="accuracy"\} 0\.\d+/);
    expect(metrics).toMatch(/millrace_alerts_total\{rule="input-drift",kind="drift",model="churn"\} 1/);
    await server.close();
    await log.close();
  });
});
