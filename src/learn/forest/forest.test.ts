// Random forest / extra trees: rounds grown on two threads give the same forest as one thread; quality on a toy set.
import { describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../../features/matrix.js";
import { workerScript } from "../gbdt/threads.js";
import { Rng } from "../rng.js";
import { RandomForest } from "./random-forest.js";

function data(n: number, seed: number): { X: FeatureMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const y = Float64Array.from({ length: n }, (_, i) => i % 3);
  const a = Float64Array.from(y, (v) => v + rng.normal());
  const b = Float64Array.from(y, (v) => (rng.next() < 0.05 ? NaN : rng.normal() * 2 - v));
  const c = Int32Array.from(y, (v) => (v + (rng.next() < 0.3 ? 1 : 0)) % 5);
  return { X: { nRows: n, columns: [{ name: "a", kind: "numeric", values: a }, { name: "b", kind: "numeric", values: b }, { name: "c", kind: "categorical", codes: c, levels: 5 }] }, y };
}

describe("RandomForest", () => {
  for (const name of ["random_forest", "extra_trees"] as const) {
    it(`${name}: two threads grow the very forest one thread grows (needs the dist/ build)`, async () => {
      // Fails loudly rather than skipping: without the worker two threads would silently be one (npm test builds dist/).
      expect(workerScript("forest-worker.js", new URL("./random-forest.ts", import.meta.url).href), "dist/learn/forest/forest-worker.js is missing: npx tsc -p tsconfig.build.json").not.toBeNull();
      const { X, y } = data(3000, 1);
      const one = await new RandomForest({ n_estimators: 12, n_threads: 1 }, name).fit({ X, y, nClasses: 3, seed: 7 });
      const two = await new RandomForest({ n_estimators: 12, n_threads: 2 }, name).fit({ X, y, nClasses: 3, seed: 7 });
      expect([...two.s.forest.leafValue]).toEqual([...one.s.forest.leafValue]);
      expect([...two.s.forest.threshold]).toEqual([...one.s.forest.threshold]);
      expect([...two.predict(X)]).toEqual([...one.predict(X)]);
    });
  }
  it("a pooled worker kept from an earlier fit grows the same regression forest as one thread", async () => {
    const { X, y } = data(2500, 3);
    const target = Float64Array.from(y, (v, i) => v * 10 + (i % 7));
    for (let k = 0; k < 2; k++) {
      const one = await new RandomForest({ n_estimators: 6, n_threads: 1 }).fit({ X, y: target, nClasses: 0, seed: 11 + k });
      const two = await new RandomForest({ n_estimators: 6, n_threads: 2 }).fit({ X, y: target, nClasses: 0, seed: 11 + k });
      expect([...two.predict(X)]).toEqual([...one.predict(X)]);
    }
  });
  it("separates the classes of a toy set and reports progress per round", async () => {
    const { X, y } = data(2000, 2);
    const seen: number[] = [];
    const fit = await new RandomForest({ n_estimators: 20 }).fit({ X, y, nClasses: 3, seed: 1, onProgress: (d) => seen.push(d) });
    const p = fit.predict(X);
    let right = 0;
    for (let i = 0; i < X.nRows; i++) {
      const row = [p[3 * i], p[3 * i + 1], p[3 * i + 2]];
      if (row.indexOf(Math.max(...row)) === y[i]) right++;
    }
    expect(right / X.nRows).toBeGreaterThan(0.8);
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThanOrEqual(20);
  });
});
