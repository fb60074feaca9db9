// SLO windows: time-bounded rates and p99 with an injected clock; the app's outcome watch per model version.
import { describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { OutcomeWatch, SloWindow } from "./slo.js";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";
import type { ServedModel } from "./types.js";

describe("SloWindow", () => {
  it("computes error rate and p99 over the window only", () => {
    let now = 0;
    const w = new SloWindow({ windowMs: 1000, minRequests: 10, maxErrorRate: 0.1, maxP99Ms: 50 }, 1000, () => now);
    for (let i = 0; i < 100; i++) w.record(i % 2 === 0, 100); // old and bad
    now = 5000;
    expect(w.verdict()).toMatchObject({ requests: 0, breached: false, reason: "too few requests" });
    for (let i = 1; i <= 100; i++) w.record(true, i); // latencies 1..100 ms
    const v = w.verdict();
    expect(v.requests).toBe(100);
    expect(v.errorRate).toBe(0);
    expect(v.p99Ms).toBe(99);
    expect(v.breached).toBe(true);
    expect(v.reason).toMatch(/p99 latency 99.00 ms > 50 ms/);
  });

  it("keeps only the newest entries when full", () => {
    const w = new SloWindow({ minRequests: 1 }, 10, () => 0);
    for (let i = 0; i < 25; i++) w.record(i >= 20, 1);
    expect(w.verdict()).toMatchObject({ requests: 10, errorRate: 0.5 });
  });
});

describe("OutcomeWatch in the app", () => {
  it("records model failures and latency per version; client errors are not failures", async () => {
    let k = 0;
    const flaky: ServedModel = {
      provenance: churnModel(7).provenance,
      predictor: { signature: churnModel(7).predictor.signature, predictRecords: (rs) => { if (++k % 5 === 0) throw new Error("bug"); return churnModel(7).predictor.predictRecords(rs); } },
    };
    const watch = new OutcomeWatch();
    const app = createApp({ models: { current: () => flaky }, watch, onError: () => undefined });
    const body = (b: unknown) => new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) });
    for (let i = 0; i < 20; i++) await app.fetch(body({ records: [goodRecord()] }));
    for (let i = 0; i < 10; i++) expect((await app.fetch(body({ records: [{}] }))).status).toBe(400);
    const [s] = watch.snapshot();
    expect(s).toMatchObject({ model: "churn", version: 7, requests: 20, errorRate: 0.2 });
    expect(s.p99Ms).toBeGreaterThan(0);
  });
});
