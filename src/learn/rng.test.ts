// The generator's sequence is part of every seeded result (splits, samples, fits): pinned here.
import { describe, expect, it } from "vitest";
import { Rng } from "./rng.js";

describe("Rng", () => {
  it("keeps the sfc32 sequence for a seed (values from the field-based version it replaced)", () => {
    const r = new Rng(42);
    expect(Array.from({ length: 5 }, () => r.nextUint32())).toEqual([1028872839, 2516511472, 400437680, 853279530, 1920286840]);
  });
  it("draws uniform integers in range, and two generators with one seed agree", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 10000; i++) {
      const x = a.int(10);
      expect(x).toBe(b.int(10));
      expect(x >= 0 && x < 10 && Number.isInteger(x)).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(10);
  });
});
