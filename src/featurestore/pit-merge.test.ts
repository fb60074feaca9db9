import { describe, expect, it } from "vitest";
import { rng } from "../serve/test-helpers/rng.js";
import { indexLabels, matchRows } from "./pit-merge.js";

/** The answer by brute force: the row with the largest (time, created, read order) at or before the label, within ttl. */
function brute(leid: number, lts: number, eid: Int32Array, ts: Float64Array, created: Float64Array | null, ttl: number): number {
  let best = -1;
  for (let r = 0; r < eid.length; r++) {
    if (eid[r] !== leid || ts[r] > lts) continue;
    if (best < 0 || ts[r] > ts[best] || (ts[r] === ts[best] && (created === null || created[r] >= created[best]))) best = r;
  }
  return best >= 0 && ts[best] >= lts - ttl ? best : -1;
}

function check(seed: number, labels: number, rows: number, entities: number, span: number, withCreated: boolean): void {
  const rand = rng(seed);
  const pos = Int32Array.from({ length: labels }, (_, i) => i);
  const leid = Int32Array.from({ length: labels }, () => Math.floor(rand() * entities));
  const lts = Float64Array.from({ length: labels }, () => Math.floor(rand() * span));
  const eid = Int32Array.from({ length: rows }, () => Math.floor(rand() * entities));
  const ts = Float64Array.from({ length: rows }, () => Math.floor(rand() * span));
  const created = withCreated ? Float64Array.from({ length: rows }, () => (rand() < 0.2 ? -Infinity : Math.floor(rand() * 4))) : null;
  const ttl = span / 5;
  const index = indexLabels(pos, leid, lts, labels, entities);
  const got = matchRows(index, { eid, ts, created, n: rows }, ttl);
  const wrong: string[] = [];
  for (let j = 0; j < labels; j++) {
    const l = index.order[j];
    const want = brute(leid[l], lts[l], eid, ts, created, ttl);
    if (got[j] !== want) wrong.push(`label ${l} (entity ${leid[l]} at ${lts[l]}): got row ${got[j]}, want ${want}`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
}

describe("point-in-time match on typed columns", () => {
  it("groups labels by entity, sorted by time, small and large groups alike", () => {
    const n = 500;
    const rand = rng(7);
    const eid = Int32Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0)); // one group of 450, one of 50
    const ts = Float64Array.from({ length: n }, () => Math.floor(rand() * 100));
    const index = indexLabels(Int32Array.from({ length: n }, (_, i) => i), eid, ts, n, 3);
    expect(Array.from(index.start)).toEqual([0, 450, 500, 500]);
    for (let j = 1; j < n; j++) if (j !== 450) expect(index.ts[j]).toBeGreaterThanOrEqual(index.ts[j - 1]);
    for (let j = 0; j < n; j++) expect(index.ts[j]).toBe(ts[index.order[j]]);
    expect(new Set(index.order).size).toBe(n);
  });

  it("matches brute force: ties broken by created then read order, TTL expiry, entities without rows or labels", () => {
    check(1, 2000, 5000, 300, 1000, true); // many ties on time
    check(2, 2000, 5000, 300, 1e9, false);
    check(3, 3000, 200, 5, 50, true); // large label groups (merge sort), few rows
    check(4, 50, 3000, 2, 10_000, false); // many rows per label
  });

  it("gives -1 when no row is at or before the label, or the latest one has expired", () => {
    const index = indexLabels(Int32Array.of(0, 1, 2), Int32Array.of(0, 0, 1), Float64Array.of(5, 100, 5), 3, 2);
    const got = matchRows(index, { eid: Int32Array.of(0, 0), ts: Float64Array.of(6, 1), created: null, n: 2 }, 10);
    // entity 0: label at 5 sees row 1 (t=1); label at 100 sees row 0 (t=6) but it is 94 old > 10; entity 1: nothing.
    expect(Array.from(got)).toEqual([1, -1, -1]);
  });
});
