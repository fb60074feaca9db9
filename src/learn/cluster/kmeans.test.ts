// Tests of k-means: recovering separated groups, determinism, round trip, bad k.
import { describe, expect, it } from "vitest";
import type { Frame } from "../../records.js";
import { Rng } from "../rng.js";
import { fitKMeans, KMeansModel } from "./kmeans.js";

function blobs(): Frame {
  const rng = new Rng(1);
  const a: number[] = [];
  const b: number[] = [];
  const seg: string[] = [];
  const centers = [[0, 0], [10, 10], [0, 10]];
  for (let i = 0; i < 300; i++) {
    const c = centers[i % 3];
    a.push(c[0] + rng.normal());
    b.push(c[1] + rng.normal());
    seg.push(i % 3 === 2 ? "x" : "y");
  }
  return { rowCount: 300, columns: [{ name: "a", kind: "numeric", values: Float64Array.from(a) }, { name: "b", kind: "numeric", values: Float64Array.from(b) }, { name: "s", kind: "categorical", values: seg }] };
}

describe("k-means", () => {
  it("recovers three separated blobs, deterministically, and round-trips", () => {
    const frame = blobs();
    const r = fitKMeans({ frame, features: ["a", "b", "s"], k: 3, seed: 4 });
    // Every true group maps to exactly one cluster.
    for (let g = 0; g < 3; g++) {
      const labels = new Set([...r.labels].filter((_, i) => i % 3 === g));
      expect(labels.size).toBe(1);
    }
    expect(new Set(r.labels).size).toBe(3);
    const again = fitKMeans({ frame, features: ["a", "b", "s"], k: 3, seed: 4 });
    expect([...again.labels]).toEqual([...r.labels]);
    const back = KMeansModel.fromBytes(r.model.toBytes());
    expect([...back.assign(frame)]).toEqual([...r.labels]);
    expect(r.model.inertia).toBeGreaterThan(0);
  });
  it("refuses k out of range", () => {
    expect(() => fitKMeans({ frame: blobs(), features: ["a"], k: 0, seed: 0 })).toThrow(/k must be/);
    expect(() => fitKMeans({ frame: blobs(), features: ["a"], k: 301, seed: 0 })).toThrow(/k must be/);
  });
});
