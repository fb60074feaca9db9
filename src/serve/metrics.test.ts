// The per-request metrics are counted in fields and flushed at scrape time: the exported figures must equal prom-client's own.
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { predictRequests, serveMetrics, versionMetrics } from "./metrics.js";
import { predictionId } from "./score.js";

describe("batched serving metrics", () => {
  it("export exactly what observing prom-client directly exports, across scrapes and two apps on one registry", async () => {
    const registry = new Registry();
    const a = serveMetrics(registry);
    const b = serveMetrics(registry);
    const ref = new Histogram({ name: "ref", help: "ref", labelNames: ["model", "version"], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [] });
    const prov = { model: "churn", version: 3 };
    const values = [0.0001, 0.0005, 0.003, 0.02, 0.7, 3, 9, 0.001];
    for (const [k, v] of values.entries()) {
      versionMetrics(k % 2 ? a : b, prov).latency.observe(v);
      ref.labels("churn", "3").observe(v);
      if (k === 4) await registry.metrics(); // a scrape in the middle
    }
    versionMetrics(a, { ...prov }).predictions.inc(5);
    versionMetrics(b, prov).predictions.inc();
    predictRequests(a, 200).inc();
    predictRequests(b, 200).inc();
    predictRequests(a, 400).inc();
    const ours = (await a.latency.get()).values;
    const theirs = (await ref.get()).values;
    expect(ours.map((v) => [v.metricName, v.labels, v.value])).toEqual(theirs.map((v) => [v.metricName?.replace("ref", "millrace_predict_duration_seconds"), v.labels, v.value]));
    const text = await registry.metrics();
    expect(text).toContain('millrace_predictions_total{model="churn",version="3"} 6');
    expect(text).toContain('millrace_http_requests_total{route="/predict",method="POST",status="200"} 2');
    expect(text).toContain('millrace_http_requests_total{route="/predict",method="POST",status="400"} 1');
  });

  it("prediction ids are UUID-shaped and distinct", () => {
    const ids = new Set(Array.from({ length: 10_000 }, predictionId));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 5)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
