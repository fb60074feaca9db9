// ForestBuilder's arrays do not depend on the capacity it was given: reserved up front, grown past it, or neither.
import { describe, expect, it } from "vitest";
import { Rng } from "../rng.js";
import type { BinMapper } from "./binning.js";
import { ForestBuilder, type ForestCapacity } from "./forest.js";
import type { TreeShape } from "./tree.js";

const mappers: BinMapper[] = [
  { kind: "numeric", cuts: Float64Array.of(-1, 0.5, 2, 7), nBins: 5, missingBin: 5 },
  { kind: "categorical", codeToBin: Int32Array.from({ length: 70 }, (_, c) => c % 4), binToCodes: [], nBins: 4, missingBin: 4 },
  { kind: "numeric", cuts: Float64Array.of(10), nBins: 2, missingBin: 2 },
];

/** A random-sized complete tree numbered breadth first (node k's children are 2k + 1 and 2k + 2, else leaves). */
function randomTree(rng: Rng, maxNodes: number): { tree: TreeShape; values: Float64Array; covers: Float64Array } {
  const nInternal = maxNodes === 0 ? 0 : 1 + rng.int(maxNodes);
  const feature = Int32Array.from({ length: nInternal }, () => rng.int(3));
  const left = new Int32Array(nInternal);
  const right = new Int32Array(nInternal);
  let nLeaves = 0;
  for (let k = 0; k < nInternal; k++) {
    left[k] = 2 * k + 1 < nInternal ? 2 * k + 1 : ~nLeaves++;
    right[k] = 2 * k + 2 < nInternal ? 2 * k + 2 : ~nLeaves++;
  }
  const tree: TreeShape = {
    nInternal,
    nLeaves: Math.max(nLeaves, 1),
    feature,
    bin: Int32Array.from(feature, (f) => rng.int(mappers[f].nBins + 1)),
    defaultLeft: Int32Array.from({ length: nInternal }, () => rng.int(2)),
    catLeft: Array.from(feature, (f) => (f === 1 && rng.next() < 0.8 ? Uint8Array.from({ length: 5 }, () => rng.int(2)) : null)),
    left,
    right,
    gain: Float64Array.from({ length: nInternal }, () => rng.next() * 10),
  };
  const values = Float64Array.from({ length: tree.nLeaves }, () => rng.normal());
  const covers = Float64Array.from({ length: tree.nLeaves }, () => 1 + rng.int(5) + rng.next());
  return { tree, values, covers };
}

function build(capacity: ForestCapacity | undefined, nTrees: number) {
  const rng = new Rng(11);
  const builder = new ForestBuilder(capacity);
  for (let i = 0; i < 400; i++) {
    const { tree, values, covers } = randomTree(rng, i % 9 === 0 ? 0 : 40);
    builder.add(tree, mappers, values, i % 3, covers);
  }
  return builder.build(nTrees);
}

describe("ForestBuilder capacity", () => {
  it("gives the same forest reserved, grown from a tiny reserve, or from the default (and the same prefixes)", () => {
    for (const nTrees of [400, 37]) {
      const want = build(undefined, nTrees);
      if (nTrees === 400) expect(want.feature.length).toBeGreaterThan(1024);
      expect(want.catBits.length).toBeGreaterThan(0);
      for (const capacity of [{ trees: 400, nodes: 400 * 40 }, { trees: 1, nodes: 1 }, { trees: 0, nodes: 0 }, { trees: 1e9, nodes: 1e9 }]) {
        const got = build(capacity, nTrees);
        for (const key of Object.keys(want) as (keyof typeof want)[]) expect([...got[key]!], `${key} ${JSON.stringify(capacity)}`).toEqual([...want[key]!]);
        // build() hands over arrays of the forest's own length, not the reserve.
        expect(got.feature.length).toBe(want.feature.length);
      }
    }
  });
});
