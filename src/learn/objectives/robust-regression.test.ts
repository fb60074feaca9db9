// Robust regression on real data: diamonds prices with a few absurd targets injected into the train rows. Huber must
// shrug them off (median start, delta on the price scale) and beat squared error on the clean test rows by a margin.
import fs from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sharedDataFile } from "../../../test/shared-data.js";
import type { Frame } from "../../records.js";
import { readCsvFrame } from "../test-helpers/csv.js";
import { GradientBoosting } from "../gbdt/booster.js";
import { trainCandidate, type TrainRequest } from "../train.js";

const FILE = sharedDataFile("diamonds.csv", "the robust regression tests");

/** Every 6th of the first 12,000 rows (a spread of prices: the file is ordered by nothing useful here) = 2,000 rows. */
function sample(full: Frame): Frame {
  const rows = Array.from({ length: 2000 }, (_, i) => i * 6);
  return {
    rowCount: rows.length,
    columns: full.columns.map((c) =>
      c.kind === "numeric" ? { ...c, values: Float64Array.from(rows, (r) => c.values[r]) } : { ...c, values: rows.map((r) => c.values[r]) },
    ),
  };
}

const frame = FILE ? sample(readCsvFrame(FILE)) : null;
const testRows = Uint32Array.from({ length: 500 }, (_, i) => 4 * i + 1);
// The outliers of the new user's report (1e7, -5e6, 3e8), on train rows (not multiples of 4 plus 1).
const OUTLIERS: [number, number][] = [
  [10, 1e7],
  [700, -5e6],
  [1500, 3e8],
];

function withOutliers(f: Frame): Frame {
  const price = f.columns.find((c) => c.name === "price");
  if (!price || price.kind !== "numeric") throw new Error("diamonds.csv: numeric price expected");
  const values = price.values.slice();
  for (const [row, v] of OUTLIERS) values[row] = v;
  return { ...f, columns: f.columns.map((c) => (c === price ? { ...price, values } : c)) };
}

const request = (f: Frame, params: Record<string, unknown>): TrainRequest => ({
  frame: f,
  target: "price",
  features: f.columns.map((c) => c.name).filter((c) => c !== "price"),
  task: "regression",
  testRows,
  cvFolds: 0,
  seed: 7,
  candidate: { name: "gbdt", model: "gbdt", params: { n_estimators: 100, ...params } },
});

const testMae = async (f: Frame, params: Record<string, unknown>) => (await trainCandidate(request(f, params))).testMetrics.mae;

describe.skipIf(frame === null)("gbdt huber on diamonds with outliers in train", () => {
  it("beats squared error on test MAE, close to squared error on clean data; an explicit huber_delta still works", async () => {
    const dirty = withOutliers(frame!);
    const clean = await testMae(frame!, { objective: "squared_error" });
    const squared = await testMae(dirty, { objective: "squared_error" });
    const huber = await testMae(dirty, { objective: "huber" });
    const huberGiven = await testMae(dirty, { objective: "huber", huber_delta: 500 });
    // Before the fix: huber 864x the clean MAE (mean start ~1.5e5, gradients clipped at delta = 1).
    expect(squared).toBeGreaterThan(2 * clean);
    expect(huber).toBeLessThan(squared / 2);
    expect(huber).toBeLessThan(1.3 * clean);
    expect(huberGiven).toBeLessThan(squared / 2);
  });
});

describe("gbdt huber: the model keeps the delta it trained with; worker threads get the same one", () => {
  const n = 400;
  const x = Float64Array.from({ length: n }, (_, i) => (i * 37) % 101);
  const y = Float64Array.from(x, (v, i) => (i === 5 ? 1e9 : 10 * v));
  const X = { nRows: n, columns: [{ name: "x", kind: "numeric" as const, values: x }] };
  const fit = (params: Record<string, unknown>) => new GradientBoosting({ objective: "huber", n_estimators: 20, ...params }).fit({ X, y, nClasses: 0, seed: 1 });
  it("derived from the targets unless given", async () => {
    const derived = await fit({});
    const sorted = y.slice().sort();
    expect(derived.s.baseScore[0]).toBe((sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    expect(derived.s.huberDelta).toBeGreaterThan(100);
    expect(derived.s.huberDelta).toBeLessThan(1000);
    expect((await fit({ huber_delta: 3 })).s.huberDelta).toBe(3);
  });
  // Two threads are min(2, cores): one core would compare one thread with itself, so that machine skips, saying so.
  const cores = availableParallelism();
  if (cores < 2) console.warn(`skipping gbdt huber on two threads: this machine has ${cores} core (os.availableParallelism()), so n_threads 2 runs one thread`);
  it.skipIf(cores < 2)("one thread or two, the same trees (the worker runs from dist/, which must be built from these sources)", async () => {
    expect(staleWorkerSources(), "dist/ is older than these sources (the worker would run old code): npx tsc -p tsconfig.build.json").toEqual([]);
    const twoThreads = await fit({ n_threads: 2 });
    expect([...twoThreads.predict(X)]).toEqual([...(await fit({})).predict(X)]);
  });
});

/** The worker's sources (gbdt/, objectives/) whose dist/ build is missing or older than they are. */
function staleWorkerSources(): string[] {
  const src = fileURLToPath(new URL("../", import.meta.url));
  const dist = src.replace(/\/src\/learn\/$/, "/dist/learn/");
  return ["gbdt", "objectives"].flatMap((dir) =>
    fs
      .readdirSync(path.join(src, dir))
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
      .map((f) => path.join(dir, f))
      .filter((f) => {
        const built = path.join(dist, f.replace(/\.ts$/, ".js"));
        return !fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(path.join(src, f)).mtimeMs;
      }),
  );
}
