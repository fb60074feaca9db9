// Hot reload over real HTTP: alias moves under concurrent load fail no request and never mix answer and provenance; drain.
import { describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { ReloadingSource } from "./reload.js";
import { startServer } from "./server.js";
import { churnModel, goodRecord, type LogisticPredictor } from "./test-helpers/logistic.js";

describe("ReloadingSource", () => {
  it("is not ready until the first model loads, then swaps when the alias moves", async () => {
    let alias: string | null = null;
    const loads: string[] = [];
    const src = new ReloadingSource(
      { resolve: async () => alias, load: async (k) => (loads.push(k), churnModel(Number(k.split("@")[1]))) },
      { intervalMs: 0 },
    );
    const app = createApp({ models: src, reload: () => src.reload(), token: "t0k" });
    await src.start();
    expect((await app.fetch(new Request("http://x/ready"))).status).toBe(503);
    expect((await app.fetch(new Request("http://x/v2/health/ready"))).status).toBe(503);
    alias = "churn@1";
    const noToken = await app.fetch(new Request("http://x/reload", { method: "POST" }));
    expect(noToken.status).toBe(401);
    const wrong = await app.fetch(new Request("http://x/reload", { method: "POST", headers: { authorization: "Bearer nope" } }));
    expect(wrong.status).toBe(401);
    const ok = await app.fetch(new Request("http://x/reload", { method: "POST", headers: { authorization: "Bearer t0k" } }));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { model: { version: number } }).model.version).toBe(1);
    expect((await app.fetch(new Request("http://x/ready"))).status).toBe(200);
    await src.reload();
    expect(loads).toEqual(["churn@1"]); // unchanged alias → no reload
  });

  it("keeps serving the old model when loading the new one fails", async () => {
    let alias = "churn@1";
    const errors: unknown[] = [];
    const src = new ReloadingSource(
      { resolve: async () => alias, load: async (k) => { if (k.endsWith("@2")) throw new Error("corrupt artifact"); return churnModel(1); } },
      { intervalMs: 0, onError: (e) => void errors.push(e) },
    );
    await src.start();
    alias = "churn@2";
    await expect(src.reload()).rejects.toThrow(/corrupt/);
    expect(src.current()?.provenance.version).toBe(1);
  });

  it("swaps under concurrent HTTP load with zero failed requests and consistent provenance", async () => {
    let version = 1;
    const src = new ReloadingSource({ resolve: async () => `churn@${version}`, load: async (k) => churnModel(Number(k.split("@")[1])) }, { intervalMs: 5 });
    await src.start();
    const server = await startServer(createApp({ models: src }), { port: 0 });
    const rec = goodRecord();
    const failures: string[] = [];
    const seen = new Set<number>();
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [rec] }) });
        const body = (await res.json()) as { provenance: { version: number }; predictions: Array<{ probabilities: { Yes: number } }> };
        if (res.status !== 200) {
          failures.push(`status ${res.status}`);
          continue;
        }
        const v = body.provenance.version;
        seen.add(v);
        // The answer must come from the model the provenance names: recompute it with that version's weights.
        const expected = (churnModel(v).predictor as LogisticPredictor).probability(rec);
        if (Math.abs(body.predictions[0].probabilities.Yes - expected) > 1e-12) failures.push(`v${v} answer mismatch`);
        if (res.headers.get("x-millrace-version") !== String(v)) failures.push("header/body mismatch");
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // Each alias move waits until an answer from the version before it came back (the event, not a fixed time).
    const answered = async (v: number) => {
      for (let i = 0; i < 2000 && !seen.has(v) && failures.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    };
    for (let v = 2; v <= 6; v++) {
      await answered(v - 1);
      version = v;
    }
    await answered(6);
    stop = true;
    await Promise.all(workers);
    src.stop();
    await server.close();
    expect(failures).toEqual([]);
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("drains: a request in flight when close() starts still gets its answer; readiness turns false", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowApp = createApp({ models: { current: () => churnModel(1) }, corsOrigins: ["http://ui"] });
    // Hold the request inside fetch() to simulate work in flight.
    const app = { ...slowApp, node: slowApp.node, setDraining: slowApp.setDraining, fetch: async (r: Request) => (await gate, slowApp.fetch(r)) };
    const server = await startServer(app, { port: 0, drainMs: 5000 });
    const inflight = fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [goodRecord()] }) });
    await new Promise((r) => setTimeout(r, 50));
    const closing = server.close();
    expect(slowApp.ready()).toBe(false);
    release();
    const res = await inflight;
    expect(res.status).toBe(200);
    await closing;
  });
});
