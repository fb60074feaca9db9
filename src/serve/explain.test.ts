// POST /predict?explain=true with a real 200-tree GBDT: base + contributions = the raw score of the answer's probability.
import { describe, expect, it } from "vitest";
import { trainCandidate } from "../learn/train.js";
import type { Frame } from "../records.js";
import { Rng } from "../learn/rng.js";
import { createApp } from "./app.js";
import { churnModel, goodRecord, swappable } from "./test-helpers/logistic.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
const js = (r: Response): Promise<any> => r.json();
const post = (query: string, body: unknown) => new Request(`http://x/predict${query}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function gbdtServed() {
  const rng = new Rng(5);
  const n = 400;
  const tenure = Float64Array.from({ length: n }, () => rng.int(72));
  const plan = Array.from({ length: n }, () => ["a", "b", "c"][rng.int(3)]);
  const left = Array.from({ length: n }, (_, i) => (tenure[i] < 20 + (plan[i] === "a" ? 15 : 0) + 10 * rng.normal() ? "yes" : "no"));
  const frame: Frame = { rowCount: n, columns: [{ name: "tenure", kind: "numeric", values: tenure }, { name: "plan", kind: "categorical", values: plan }, { name: "left", kind: "categorical", values: left }] };
  const r = await trainCandidate({ frame, target: "left", features: ["tenure", "plan"], task: "binary", positive: "yes", testRows: new Uint32Array(0), cvFolds: 0, seed: 1, candidate: { name: "gbdt", model: "gbdt", params: {} } });
  return { predictor: r.model, provenance: { ...churnModel(1).provenance, model: "left" } };
}

describe("POST /predict?explain=true", () => {
  it("adds per record the base value and top-k contributions that sum to the log-odds of the answer", async () => {
    const app = createApp({ models: swappable(await gbdtServed()) });
    const records = [{ tenure: 3, plan: "a" }, { tenure: 60, plan: "c" }];
    const res = await app.fetch(post("?explain=true&explain_top=1", { records }));
    expect(res.status).toBe(200);
    const body = await js(res);
    expect(body.predictions).toHaveLength(2);
    expect(body.ids).toHaveLength(2);
    expect(res.headers.get("x-millrace-model")).toBe("left");
    body.explanations.forEach((per: { output: string; scale: string; base: number; raw: number; rest: number; contributions: { feature: string; value: number }[] }[], i: number) => {
      const e = per[0];
      expect(e.output).toBe("yes");
      expect(e.scale).toBe("log-odds");
      expect(e.contributions).toHaveLength(1);
      expect(e.base + e.contributions[0].value + e.rest).toBeCloseTo(e.raw, 9);
      const p = body.predictions[i].probabilities.yes;
      expect(e.raw).toBeCloseTo(Math.log(p / (1 - p)), 9);
    });
    // Without the flag the answer is the usual one.
    const plain = await js(await app.fetch(post("", { records })));
    expect(plain.explanations).toBeUndefined();
    expect(plain.predictions).toEqual(body.predictions);
  });

  it("bad flag values and models that cannot explain are 400s naming the field", async () => {
    const app = createApp({ models: swappable(await gbdtServed()) });
    const bad = await app.fetch(post("?explain=yes", { records: [{ tenure: 3, plan: "a" }] }));
    expect(bad.status).toBe(400);
    expect((await js(bad)).path).toBe("explain");
    expect((await app.fetch(post("?explain=true&explain_top=0", { records: [{ tenure: 3, plan: "a" }] }))).status).toBe(400);
    const plainModel = createApp({ models: swappable(churnModel(1)) });
    const r = await plainModel.fetch(post("?explain=true", { records: [goodRecord()] }));
    expect(r.status).toBe(400);
    expect((await js(r)).message).toContain("cannot explain");
  });
});
