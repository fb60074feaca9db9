// RecordsTransform against the reference path, transform(recordsToFrame(records)): equal bit for bit on every row,
// alone and in batches, for numeric, categorical, datetime, target-encoded and interaction columns; same errors.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import type { Frame } from "../records.js";
import type { FeatureMatrix } from "./matrix.js";
import { FeaturePipeline, LINEAR_PIPELINE, TREE_PIPELINE, type FittedFeaturePipeline, type PipelineOptions } from "./pipeline.js";
import { RecordsTransform } from "./records-transform.js";
import { recordsToFrame } from "./records.js";

const n = 300;
function trainingFrame(): Frame {
  const x = new Float64Array(n);
  const big = new Float64Array(n);
  const plan: (string | null)[] = [];
  const city: (string | null)[] = [];
  const at: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    x[i] = i % 11 === 0 ? NaN : ((i * 37) % 101) / 7;
    big[i] = i % 13 === 0 ? NaN : (i * 7919) % 1000;
    plan.push(i % 9 === 0 ? null : ["basic", "plus", "pro"][i % 3]);
    city.push(i % 17 === 0 ? null : `city${(i * 13) % 40}`);
    at.push(i % 7 === 0 ? null : i % 2 ? `2025-0${1 + (i % 9)}-1${i % 10}` : `2024-12-0${1 + (i % 9)}T${10 + (i % 13)}:30:00Z`);
  }
  const y = Float64Array.from(x, (v, i) => (Number.isNaN(v) ? 0 : v) + (plan[i] === "pro" ? 3 : 0));
  return {
    rowCount: n,
    columns: [
      { name: "x", kind: "numeric", values: x },
      { name: "big", kind: "numeric", values: big },
      { name: "plan", kind: "categorical", values: plan },
      { name: "city", kind: "categorical", values: city },
      { name: "at", kind: "categorical", values: at },
      { name: "y", kind: "numeric", values: y },
    ],
  };
}

const FEATURES = ["x", "big", "plan", "city", "at"];

/** Records of a frame's rows, with a few values the training data never had (unseen category, far value, bad date). */
function recordsOf(frame: Frame): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < frame.rowCount; i++) {
    const r: Record<string, unknown> = {};
    for (const c of frame.columns) {
      if (c.name === "y") continue;
      r[c.name] = c.kind === "numeric" ? (Number.isNaN(c.values[i]) ? null : c.values[i]) : c.values[i];
    }
    out.push(r);
  }
  out.push({ x: 1e6, big: "12", plan: "enterprise", city: "nowhere", at: "not a date" });
  out.push({ x: true, plan: 3, at: "2026-02-28" });
  out.push({});
  return out;
}

function fitted(options: PipelineOptions, frame: Frame, withTarget: boolean): FittedFeaturePipeline {
  const y = frame.columns.find((c) => c.name === "y")!;
  const target = withTarget && y.kind === "numeric" ? { outputs: [y.values], fold: Int32Array.from({ length: n }, (_, i) => i % 3), folds: 3 } : undefined;
  return new FeaturePipeline(options).fit(frame, FEATURES, undefined, target);
}

/** Each column's values as bits (so -0, NaN and every last digit must match), or codes. */
function bits(m: FeatureMatrix): unknown[] {
  return m.columns.map((c) => [c.name, c.kind, c.kind === "numeric" ? Array.from(new BigUint64Array(Float64Array.from(c.values).buffer)) : [c.levels, Array.from(c.codes)]]);
}

const inputsOf = (p: FittedFeaturePipeline) => p.inputs;

describe("RecordsTransform", () => {
  const frame = trainingFrame();
  const records = recordsOf(frame);
  const pipelines: [string, FittedFeaturePipeline][] = [
    ["linear", fitted(LINEAR_PIPELINE, frame, false)],
    ["tree", fitted(TREE_PIPELINE, frame, false)],
    ["linear + target encoding + interactions", fitted({ ...LINEAR_PIPELINE, targetEncodeMinLevels: 10, interactions: true }, frame, true)],
  ];

  it("the pipelines under test have categorical, datetime, target-encoded and interaction columns", () => {
    const kinds = pipelines.flatMap(([, p]) => p.state.columns.map((c) => c.kind));
    expect(new Set(kinds)).toEqual(new Set(["numeric", "categorical", "datetime", "target"]));
    expect(pipelines[2][1].state.interactions?.pairs.length).toBe(1);
  });

  for (const [name, p] of pipelines) {
    it(`${name}: every record alone and the whole batch equal the frame path bit for bit`, () => {
      const t = new RecordsTransform(p.state);
      expect(bits(t.transform(records))).toEqual(bits(p.transform(recordsToFrame(records, inputsOf(p)))));
      // One at a time through the same (reused) arrays, then a batch again: nothing carries over between calls.
      for (const r of records) expect(bits(t.transform([r]))).toEqual(bits(p.transform(recordsToFrame([r], inputsOf(p)))));
      const some = records.slice(5, 25);
      expect(bits(t.transform(some))).toEqual(bits(p.transform(recordsToFrame(some, inputsOf(p)))));
    });
  }

  it("category codes stay right through the remembered strings: few or many distinct values, any string objects, call after call", () => {
    const plain = records.slice(0, n);
    const p = pipelines[0][1];
    const t = new RecordsTransform(p.state);
    // The same texts as other string objects (a body parsed again), internalized ones (property names) and joined ones.
    const copies = [(s: string) => JSON.parse(JSON.stringify(s)) as string, (s: string) => Object.keys({ [s]: 0 })[0], (s: string) => `${s.slice(0, 1)}${s.slice(1)}`];
    for (let call = 0; call < 150; call++) {
      const copy = copies[call % 3];
      // Mostly few distinct cities (the memo's case), every fifth call 40 of them (it turns itself off, then back on).
      const batch = plain.slice(0, 40).map((r, i) => ({ ...r, city: typeof r.city === "string" ? copy(call % 5 === 4 ? r.city : `city${(i % 3) * 13}`) : r.city, plan: typeof r.plan === "string" ? copy(r.plan) : r.plan }));
      expect(bits(t.transform(batch))).toEqual(bits(p.transform(recordsToFrame(batch, inputsOf(p)))));
      expect(bits(t.transform([batch[call % 40]]))).toEqual(bits(p.transform(recordsToFrame([batch[call % 40]], inputsOf(p)))));
    }
  });

  it("a single-record call returns the same arrays each time (no feature arrays allocated per request)", () => {
    const t = new RecordsTransform(pipelines[0][1].state);
    const a = t.transform([records[0]]);
    const b = t.transform([records[1]]);
    expect(b).toBe(a);
    expect(b.columns[0]).toBe(a.columns[0]);
  });

  it("calls over the reuse limit get fresh arrays (nothing large held), and the reused ones stay right after them", () => {
    const p = pipelines[2][1];
    const t = new RecordsTransform(p.state, 20 * p.transform(recordsToFrame(records.slice(0, 1), inputsOf(p))).columns.length);
    const small = t.transform(records.slice(0, 20));
    const big = t.transform(records);
    expect(big.columns[0]).not.toBe(small.columns[0]);
    expect(bits(big)).toEqual(bits(p.transform(recordsToFrame(records, inputsOf(p)))));
    expect(bits(t.transform(records.slice(0, 20)))).toEqual(bits(p.transform(recordsToFrame(records.slice(0, 20), inputsOf(p)))));
    // The big call left the reused arrays as they were: the 20-record matrix is the same object again.
    expect(t.transform(records.slice(0, 20))).toBe(small);
  });

  it("bad values fail as recordsToFrame fails: the same message naming records[i].field", () => {
    for (const [, p] of pipelines) {
      const t = new RecordsTransform(p.state);
      for (const bad of [[{ x: "abc" }], [{ x: 1 }, { plan: { a: 1 } }], [{ big: Infinity }], [{ at: [1] }]]) {
        let want: unknown;
        try {
          recordsToFrame(bad, inputsOf(p));
        } catch (e) {
          want = e;
        }
        expect(want).toBeInstanceOf(ValidationError);
        expect(() => t.transform(bad)).toThrow((want as Error).message);
      }
    }
  });
});
