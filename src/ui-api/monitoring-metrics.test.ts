// The monitoring page's reading of /metrics, against the exposition prom-client writes for the serving metrics
// themselves: counts by status, percentiles as histogram_quantile computes them, per-version figures, rates.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { serveMetrics } from "../serve/metrics.js";
import { bucketsOf, parseExposition, quantile, requestCounts } from "./monitoring-metrics.js";
import { pointsOf, versionsOf } from "./monitoring.js";

async function exposition(fill: (m: ReturnType<typeof serveMetrics>) => void): Promise<string> {
  const registry = new Registry();
  const m = serveMetrics(registry, () => 0, () => [{ model: "churn", version: 2, alias: "production", runId: "r2", role: "primary" }]);
  fill(m);
  return registry.metrics();
}

describe("reading the server's /metrics", () => {
  it("counts requests by status class and per version, with latency percentiles from the buckets", async () => {
    const text = await exposition((m) => {
      for (let i = 0; i < 90; i++) m.requests.labels("/predict", "POST", "200").inc();
      for (let i = 0; i < 6; i++) m.requests.labels("/predict", "POST", "400").inc();
      for (let i = 0; i < 4; i++) m.requests.labels("/predict", "POST", "500").inc();
      // The dashboard's own polling, scrapes and probes are not traffic.
      for (const route of ["/api/monitoring", "/metrics", "/health", "/ui/*"]) m.requests.labels(route, "GET", "200").inc(5);
      // 100 latencies: 1..100 ms.
      for (let i = 1; i <= 100; i++) m.latency.labels("churn", "2").observe(i / 1000);
      m.predictions.labels("churn", "2").inc(250);
      m.predictions.labels("churn", "1").inc(7);
    });
    const samples = parseExposition(text);
    expect(requestCounts(samples)).toEqual({ requests: 100, errors: 4, clientErrors: 6 });
    const buckets = bucketsOf(samples, "millrace_predict_duration_seconds");
    expect(buckets.get(Infinity)).toBe(100);
    // Rank 50 falls in (25 ms, 50 ms] holding 25 observations → 50 ms; rank 99 in (50, 100] → 50 + 50·49/50 = 99 ms.
    expect(quantile(0.5, buckets)! * 1000).toBeCloseTo(50, 9);
    expect(quantile(0.99, buckets)! * 1000).toBeCloseTo(99, 9);
    const versions = versionsOf(samples);
    const v2 = versions.find((v) => v.version === 2)!;
    expect(v2).toMatchObject({ model: "churn", predictions: 250, requests: 100, roles: [{ role: "primary", alias: "production" }] });
    expect(v2.p50Ms).toBeCloseTo(50, 9);
    expect(versions.find((v) => v.version === 1)).toMatchObject({ predictions: 7, requests: 0, p50Ms: null, roles: [] });
  });

  it("gives rates and window percentiles between scrapes, and skips a window where the counters restarted", () => {
    const scrape = (at: number, requests: number, errors: number, fast: number, slow: number) => ({
      at,
      counts: { requests, errors, clientErrors: 0 },
      predictions: requests * 2,
      latency: new Map([[0.001, fast], [0.1, fast + slow], [Infinity, fast + slow]]),
    });
    const pts = pointsOf([scrape(0, 0, 0, 0, 0), scrape(2000, 100, 10, 100, 0), scrape(4000, 300, 10, 100, 200), scrape(5000, 5, 0, 5, 0)]);
    expect(pts).toHaveLength(2);
    expect(pts[0]).toMatchObject({ requestsPerSecond: 50, predictionsPerSecond: 100, errorRate: 0.1 });
    expect(pts[0].p99Ms).toBeCloseTo(0.99, 9);
    // The second window's 200 requests were all slow: its median lies in (1 ms, 100 ms], not at the start's fast ones.
    expect(pts[1]).toMatchObject({ requestsPerSecond: 100, errorRate: 0 });
    expect(pts[1].p50Ms).toBeCloseTo(1 + 99 * 0.5, 9);
  });

  it("reads label values with escapes and ignores comments", () => {
    const s = parseExposition('# HELP x y\nx{a="q\\"uote",b="back\\\\slash"} 3\ny 4.5\n');
    expect(s).toEqual([{ name: "x", labels: { a: 'q"uote', b: "back\\slash" }, value: 3 }, { name: "y", labels: {}, value: 4.5 }]);
  });
});
