// Trees packed where they grow and joined in order are the arrays ForestBuilder makes from the same trees.
import { describe, expect, it } from "vitest";
import type { BinMapper } from "../gbdt/binning.js";
import { ForestBuilder } from "../gbdt/forest.js";
import type { TreeShape } from "../gbdt/tree.js";
import { Rng } from "../rng.js";
import { joinPacked, packedBuffers, packTree } from "./tree-pack.js";

const mappers: BinMapper[] = [
  { kind: "numeric", cuts: Float64Array.of(-1, 0.5, 2, 7), nBins: 5, missingBin: 5 },
  { kind: "categorical", codeToBin: Int32Array.of(2, 0, 1, 1, 3, 0, 2, 1, 0, 3, 2, 1, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 0, 1, 3, 0, 1, 2, 3, 0, 1, 2, 3, 1), binToCodes: [], nBins: 4, missingBin: 4 },
  { kind: "numeric", cuts: Float64Array.of(10), nBins: 2, missingBin: 2 },
];

/** A random tree numbered as the depth-first grower numbers it: a node before its children. */
function randomTree(rng: Rng, maxNodes: number): { tree: TreeShape; values: Float64Array; covers: Float64Array } {
  const t = { nInternal: 0, nLeaves: 0, feature: [] as number[], bin: [] as number[], defaultLeft: [] as number[], catLeft: [] as (Uint8Array | null)[], left: [] as number[], right: [] as number[], gain: [] as number[] };
  const grow = (depth: number): number => {
    if (t.nInternal >= maxNodes || depth > 6 || rng.next() < 0.3) return ~t.nLeaves++;
    const k = t.nInternal++;
    const f = rng.int(3);
    t.feature[k] = f;
    t.bin[k] = rng.int(mappers[f].nBins + 1);
    t.defaultLeft[k] = rng.int(2);
    t.catLeft[k] = f === 1 && rng.next() < 0.8 ? Uint8Array.from({ length: 5 }, () => rng.int(2)) : null;
    t.gain[k] = rng.next() * 10;
    t.left[k] = grow(depth + 1);
    t.right[k] = grow(depth + 1);
    return k;
  };
  grow(0);
  const values = Float64Array.from({ length: t.nLeaves }, () => rng.normal());
  const covers = Float64Array.from({ length: t.nLeaves }, () => 1 + rng.int(5) + rng.next());
  return { tree: t, values, covers };
}

describe("packTree / joinPacked", () => {
  it("give ForestBuilder's arrays for the same trees (one-leaf trees, categorical and numeric nodes, several outputs)", () => {
    const rng = new Rng(5);
    const builder = new ForestBuilder();
    const parts = [];
    for (let i = 0; i < 40; i++) {
      const { tree, values, covers } = randomTree(rng, i % 7 === 0 ? 0 : 60);
      builder.add(tree, mappers, values, i % 3, covers);
      parts.push(packTree(tree, mappers, values.slice(), covers.slice(), i % 3));
    }
    const want = builder.build();
    const got = joinPacked(parts);
    expect(got.catBits.length).toBeGreaterThan(0);
    expect(got.treeRoot.some((r) => r < 0)).toBe(true);
    for (const key of Object.keys(want) as (keyof typeof want)[]) expect([...got[key]!], key).toEqual([...want[key]!]);
  });

  it("hands over every array's own buffer, once", () => {
    const { tree, values, covers } = randomTree(new Rng(2), 30);
    const buffers = packedBuffers(packTree(tree, mappers, values, covers, 0));
    expect(new Set(buffers).size).toBe(buffers.length);
    expect(buffers.length).toBe(14);
  });

  it("refuses leaf arrays that do not match the tree", () => {
    const { tree, values, covers } = randomTree(new Rng(3), 30);
    expect(() => packTree(tree, mappers, values.subarray(1), covers, 0)).toThrow(/per leaf/);
  });
});
