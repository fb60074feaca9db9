// Random forests and extra trees on the histogram tree code: bootstrap rows, a random feature subset per node,
// deep trees grown depth-first, rounds grown on every core; leaves hold class rates (one-vs-rest trees for
// multiclass) or means.

import { FOREST_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { sampleWeights } from "../class-weight.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { binColumns, binOffsets, fitBinMapper, transposeBins } from "../gbdt/binning.js";
import { WasmBinning } from "../gbdt/wasm-binning.js";
import { addForestScores, compileForest, forestImportance, type ForestState } from "../gbdt/forest.js";
import type { FeatureMeta } from "../gbdt/split-finder.js";
import { chooseThreads, workerScript } from "../gbdt/threads.js";
import { ParamHolder, type Params } from "../params.js";
import { explainForest, explainNanosPerRow, type Explanation } from "../explain/tree-shap.js";
import type { DfsParams } from "./dfs-grower.js";
import { runOnWorker, warmWorkers } from "./forest-workers.js";
import { forestJob, forestKernel, growClaimedRounds, growRound, type ForestJob, type GrownRound } from "./forest-rounds.js";
import { joinPacked } from "./tree-pack.js";

export class RandomForest extends ParamHolder<RandomForest> {
  constructor(params: Record<string, unknown> = {}, name: "random_forest" | "extra_trees" = "random_forest") {
    super(name, FOREST_PARAMS, name === "extra_trees" ? { bootstrap: false, ...params } : params);
  }

  clone(): RandomForest {
    return new RandomForest(this.getParams(), this.name as "random_forest" | "extra_trees");
  }

  fit(data: TrainingData): Promise<FittedForest> {
    return fitForest(this.name, this.getParams(), data);
  }
}

function featuresPerNode(p: Params, F: number, classify: boolean): number {
  if (p.max_features_fraction !== null) return Math.max(1, Math.round(F * (p.max_features_fraction as number)));
  const mode = p.max_features === "auto" ? (classify ? "sqrt" : "all") : p.max_features;
  if (mode === "sqrt") return Math.max(1, Math.floor(Math.sqrt(F)));
  if (mode === "log2") return Math.max(1, Math.floor(Math.log2(F)));
  return F;
}

async function fitForest(name: string, p: Params, data: TrainingData): Promise<FittedForest> {
  const { X, y, nClasses } = data;
  const n = X.nRows;
  const F = X.columns.length;
  const rounds = p.n_estimators as number;
  // Deep trees: two threads pay off from small data on (each round is a whole tree per output).
  const threads = rounds > 1 ? chooseThreads(p.n_threads as number, n * 10, F) : 1;
  const script = threads > 1 ? workerScript("forest-worker.js", import.meta.url) : null;
  // The workers boot while this thread bins the data.
  if (script) warmWorkers(script, threads - 1);
  const binner = WasmBinning.create(Math.min(n, p.bin_sample_rows as number));
  const mappers = X.columns.map((c, f) => fitBinMapper(c, p.max_bins as number, p.bin_sample_rows as number, data.seed + f, binner));
  const off = binOffsets(mappers);
  const meta: FeatureMeta = {
    nFeatures: F,
    off,
    nBins: Int32Array.from(mappers, (m) => m.nBins),
    isCat: Uint8Array.from(mappers, (m) => (m.kind === "categorical" ? 1 : 0)),
  };
  const binsT = binColumns(X, mappers, undefined, binner);
  const outputs = nClasses > 2 ? nClasses : 1;
  const params: DfsParams = {
    lambda: 0, alpha: 0, minChildWeight: p.min_samples_leaf as number, minDataInLeaf: 0, minSplitGain: 0, maxDeltaStep: 0,
    catSmooth: 1, catL2: 0, maxCatThreshold: 64, maxCatToOnehot: 4, minDataPerGroup: 0,
    maxDepth: p.max_depth as number, maxFeatures: featuresPerNode(p, F, nClasses > 0), extra: name === "extra_trees", stopPure: nClasses > 0,
  };
  const job = forestJob(
    { n, nClasses, outputs, rounds, seed: data.seed, bootstrap: p.bootstrap as boolean, meta, mappers, params, threads },
    binsT,
    transposeBins(binsT, n, F),
    y,
    sampleWeights(y, nClasses, p.class_weight as string, data.weights) ?? null,
  );
  // Each thread packed the trees it grew; joining them in round order is copies only.
  const forest = joinPacked((await growRounds(job, script, data.onProgress)).flatMap((r) => r.trees));
  return new FittedForest(name, { forest, outputs, nClasses, nTrees: rounds, featureNames: X.columns.map((c) => c.name) });
}

/** Every round, in order: this thread and job.threads - 1 workers claim them; a failed worker's rounds are regrown here. */
async function growRounds(job: ForestJob, script: URL | null, onProgress?: (done: number, total: number) => void): Promise<GrownRound[]> {
  const results: (GrownRound | undefined)[] = new Array(job.rounds);
  const workers: Promise<void>[] = [];
  for (let t = 1; script && t < job.threads; t++) workers.push(runOnWorker(script, job, t, (r) => (results[r.round] = r)));
  const kernel = forestKernel(job, 0);
  growClaimedRounds(job, 0, kernel, (r) => {
    results[r.round] = r;
    onProgress?.(Atomics.load(job.counters, 1) + 1, job.rounds);
  });
  await Promise.all(workers);
  return results.map((r, round) => r ?? growRound(job, 0, kernel, round));
}

export interface ForestModelState {
  forest: ForestState;
  outputs: number;
  nClasses: number;
  nTrees: number;
  featureNames: string[];
}

export class FittedForest implements FittedEstimator {
  private compiled: ReturnType<typeof compileForest> | null = null;

  constructor(
    readonly name: string,
    readonly s: ForestModelState,
  ) {}

  predict(X: FeatureMatrix): Float64Array {
    const n = X.nRows;
    const { outputs, nClasses, nTrees } = this.s;
    if (!this.compiled && n > 1000) this.compiled = compileForest(this.s.forest, this.s.featureNames.length);
    const raw = new Float64Array(n * outputs);
    addForestScores(this.s.forest, X, raw, this.compiled ?? undefined);
    if (nClasses === 0) return raw.map((v) => v / nTrees);
    if (nClasses === 2) {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) (out[2 * i + 1] = raw[i] / nTrees), (out[2 * i] = 1 - raw[i] / nTrees);
      return out;
    }
    const out = new Float64Array(n * nClasses);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let c = 0; c < nClasses; c++) sum += Math.max(raw[c * n + i], 0);
      for (let c = 0; c < nClasses; c++) out[i * nClasses + c] = sum > 0 ? Math.max(raw[c * n + i], 0) / sum : 1 / nClasses;
    }
    return out;
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }

  /**
   * TreeSHAP of the trees' mean output: P(class 1) for binary, the value for regression, and each class's
   * unnormalised vote share for multiclass (predict() then clips and normalises those shares).
   */
  explain(X: FeatureMatrix): Explanation {
    return explainForest(this.s.forest, X, this.s.outputs, new Float64Array(this.s.outputs), this.s.nClasses === 0 ? "value" : this.s.nClasses === 2 ? "probability" : "vote share", 1 / this.s.nTrees);
  }

  explainNanosPerRow(): number {
    return explainNanosPerRow(this.s.forest);
  }

  importance(kind = "gain"): Record<string, number> {
    const imp = forestImportance(this.s.forest, this.s.featureNames.length);
    const v = kind === "split" ? imp.split : imp.gain;
    return Object.fromEntries(this.s.featureNames.map((name, f) => [name, v[f]]));
  }
}
