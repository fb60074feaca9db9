// Batch scoring: chunks stream through the serving validation and the model; errors name the row in the whole input.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { scoreChunks } from "./batch.js";
import { churnModel, goodRecord, type LogisticPredictor } from "./test-helpers/logistic.js";

async function* chunked(rows: Record<string, unknown>[], size: number) {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

describe("scoreChunks", () => {
  const model = churnModel(1).predictor as LogisticPredictor;

  it("scores every row in order, chunk by chunk, with the model's own answers and progress", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ ...goodRecord(), tenure: i, customer_id: `c${i}` }));
    const progress: number[] = [];
    const seen: number[] = [];
    for await (const c of scoreChunks(model, chunked(rows, 10), { onProgress: (n) => progress.push(n) })) {
      c.outputs.forEach((o, k) => {
        expect(o.probabilities!.Yes).toBeCloseTo(model.probability(rows[c.offset + k]), 12);
        seen.push(c.offset + k);
      });
      expect(c.records[0]).not.toHaveProperty("customer_id"); // extra columns ignored by default
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(progress).toEqual([10, 20, 25]);
  });

  it("names the bad row by its number in the whole input", async () => {
    const rows = Array.from({ length: 30 }, () => goodRecord());
    rows[23] = { ...goodRecord(), tenure: "x" };
    const run = async () => {
      for await (const _ of scoreChunks(model, chunked(rows, 10))) void _;
    };
    await expect(run()).rejects.toThrow(ValidationError);
    await expect(run()).rejects.toThrow(/rows\[23\]\.tenure must be an integer/);
  });

  it("rejects extra columns when asked to", async () => {
    const run = async () => {
      for await (const _ of scoreChunks(model, [[{ ...goodRecord(), extra: 1 }]], { extraFields: "reject" })) void _;
    };
    await expect(run()).rejects.toThrow(/rows\[0\]\.extra is not an input of this model/);
  });
});
