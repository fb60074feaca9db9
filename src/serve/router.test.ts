// Canary split proportions, stickiness, shadow isolation and SLO rollback, through the real app.
import { describe, expect, it } from "vitest";
import type { Prediction } from "../records.js";
import { createApp } from "./app.js";
import { stickyBucket, TrafficRouter } from "./router.js";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";
import type { RollbackDecision, ServedModel } from "./types.js";

const fixed = (m: ServedModel | null) => ({ current: () => m });
const post = (key?: string) =>
  new Request("http://x/predict", {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "x-millrace-key": key } : {}) },
    body: JSON.stringify({ records: [goodRecord()] }),
  });

describe("TrafficRouter", () => {
  it("sends about the declared share to the canary", async () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const router = new TrafficRouter({ primary: fixed(churnModel(1)), canary: fixed(churnModel(2, "challenger")), canaryPercent: 20, random });
    const app = createApp({ models: router });
    const counts = { "1": 0, "2": 0 };
    for (let i = 0; i < 2000; i++) counts[(await app.fetch(post())).headers.get("x-millrace-version") as "1" | "2"]++;
    // Binomial(2000, 0.2): mean 400, sd ≈ 17.9; ±4 sd.
    expect(counts["2"]).toBeGreaterThan(400 - 72);
    expect(counts["2"]).toBeLessThan(400 + 72);
    expect(counts["1"] + counts["2"]).toBe(2000);
  });

  it("keeps a sticky key on one side, and splits many keys near the share", async () => {
    const router = new TrafficRouter({ primary: fixed(churnModel(1)), canary: fixed(churnModel(2)), canaryPercent: 30 });
    const app = createApp({ models: router });
    const first = (await app.fetch(post("customer-42"))).headers.get("x-millrace-version");
    for (let i = 0; i < 20; i++) expect((await app.fetch(post("customer-42"))).headers.get("x-millrace-version")).toBe(first);
    let canary = 0;
    for (let i = 0; i < 5000; i++) if (stickyBucket(`customer-${i}`) < 3000) canary++;
    expect(canary / 5000).toBeGreaterThan(0.27);
    expect(canary / 5000).toBeLessThan(0.33);
  });

  it("scores with the shadow and logs its answers, but never returns them", async () => {
    const logged: Prediction[] = [];
    const router = new TrafficRouter({ primary: fixed(churnModel(1)), shadow: fixed(churnModel(5, "shadow")) });
    const app = createApp({ models: router, sink: { log: (p) => void logged.push(p) } });
    const res = await app.fetch(post());
    const body = await res.json() as { provenance: { version: number }; predictions: Array<{ probabilities: Record<string, number> }> };
    expect(body.provenance.version).toBe(1);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const shadowLog = logged.filter((p) => p.alias === "shadow");
    expect(shadowLog).toHaveLength(1);
    expect(shadowLog[0].version).toBe(5);
    expect(shadowLog[0].output.probabilities!.Yes).not.toBeCloseTo(body.predictions[0].probabilities.Yes, 6);
    const models = await (await app.fetch(new Request("http://x/models"))).json() as { models: Array<{ role: string }> };
    expect(models.models.map((m) => m.role)).toEqual(["primary", "shadow"]);
  });

  it("a failing shadow never fails the answer", async () => {
    const broken: ServedModel = { provenance: churnModel(9).provenance, predictor: { signature: churnModel(9).predictor.signature, predictRecords: () => { throw new Error("shadow down"); } } };
    const errors: unknown[] = [];
    const app = createApp({ models: new TrafficRouter({ primary: fixed(churnModel(1)), shadow: fixed(broken) }), onError: (e) => void errors.push(e) });
    expect((await app.fetch(post())).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
  });

  it("rolls the canary back when its error rate breaches the SLO, and tells the callback once", async () => {
    let calls = 0;
    const flaky: ServedModel = {
      provenance: churnModel(2, "challenger").provenance,
      predictor: {
        signature: churnModel(2).predictor.signature,
        predictRecords: (rs) => {
          if (++calls % 4 === 0) throw new Error("canary bug");
          return churnModel(2).predictor.predictRecords(rs);
        },
      },
    };
    const decisions: RollbackDecision[] = [];
    const router = new TrafficRouter({
      primary: fixed(churnModel(1)),
      canary: fixed(flaky),
      canaryPercent: 50,
      slo: { maxErrorRate: 0.05, minRequests: 40 },
      onRollback: (d) => void decisions.push(d),
    });
    const app = createApp({ models: router, onError: () => undefined });
    const statuses: number[] = [];
    for (let i = 0; i < 400; i++) statuses.push((await app.fetch(post(`k${i}`))).status);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ model: "churn", version: 2 });
    expect(decisions[0].reason).toMatch(/error rate/);
    expect(router.canaryPercent()).toBe(0);
    // After the rollback every request is the champion's and succeeds.
    const after = await app.fetch(post("k1"));
    expect(after.headers.get("x-millrace-version")).toBe("1");
    expect(statuses.slice(-100).every((s) => s === 200)).toBe(true);
  });

  it("rolls back on p99 latency too, and client errors do not count against the canary", async () => {
    let t = 0;
    const slow: ServedModel = {
      provenance: churnModel(2).provenance,
      predictor: {
        signature: churnModel(2).predictor.signature,
        predictRecords: (rs) => {
          const until = performance.now() + (++t % 10 === 0 ? 30 : 0);
          while (performance.now() < until);
          return churnModel(2).predictor.predictRecords(rs);
        },
      },
    };
    const router = new TrafficRouter({ primary: fixed(churnModel(1)), canary: fixed(slow), canaryPercent: 100, slo: { maxP99Ms: 20, maxErrorRate: 0, minRequests: 30 } });
    const app = createApp({ models: router });
    for (let i = 0; i < 25; i++) {
      const bad = new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body: '{"records":[{}]}' });
      expect((await app.fetch(bad)).status).toBe(400);
    }
    expect(router.rollback()).toBeNull();
    for (let i = 0; i < 60 && router.canaryPercent() > 0; i++) await app.fetch(post());
    expect(router.rollback()?.reason).toMatch(/p99/);
  });

  it("refuses a percentage outside 0..100", () => {
    expect(() => new TrafficRouter({ primary: fixed(null), canaryPercent: 120 })).toThrow(/between 0 and 100/);
  });
});
