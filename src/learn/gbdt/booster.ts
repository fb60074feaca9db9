// Gradient-boosted trees: the estimator (hyperparameters, boosting loop, early stopping) and its fitted model.

import { GBDT_PARAMS } from "../param-schemas.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { sampleWeights } from "../class-weight.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { objectiveFor } from "../objectives/index.js";
import type { Objective } from "../objectives/objective.js";
import { Huber } from "../objectives/regression.js";
import { ParamHolder, type Params } from "../params.js";
import { Rng } from "../rng.js";
import { binMatrix, binOffsets, fitBinMapper } from "./binning.js";
import { WasmBinning } from "./wasm-binning.js";
import { explainForest, explainNanosPerRow, type Explanation } from "../explain/tree-shap.js";
import { ForestBuilder, forestImportance, type ForestState } from "./forest.js";
import { ForestScorer } from "./forest-scorer.js";
import { TreeGrower, type GrowParams } from "./grower.js";
import { allocateFit, histOpsFor, kernelFor, withWasmGradients } from "./fit-arrays.js";
import { OP_GRADIENTS, OP_UPDATE } from "./shard-ops.js";
import { chooseThreads, ShardRunner } from "./threads.js";
import { binWide, isWide, leadingColumns, permuteColumns, wideLast } from "./wide-columns.js";
import { leafOutput, type FeatureMeta } from "./split-finder.js";

export class GradientBoosting extends ParamHolder<GradientBoosting> {
  constructor(params: Record<string, unknown> = {}) {
    super("gbdt", GBDT_PARAMS, params);
  }

  clone(): GradientBoosting {
    return new GradientBoosting(this.getParams());
  }

  fit(data: TrainingData): Promise<FittedGBDT> {
    return fitBooster(this.getParams(), data);
  }
}

function growParams(p: Params): GrowParams {
  const n = (k: string) => p[k] as number;
  return {
    maxLeaves: n("max_leaves"),
    lossguide: p.grow_policy === "lossguide",
    maxDepth: n("max_depth"),
    lambda: n("reg_lambda"),
    alpha: n("reg_alpha"),
    minChildWeight: n("min_child_weight"),
    minDataInLeaf: n("min_data_in_leaf"),
    minSplitGain: n("min_split_gain"),
    maxDeltaStep: n("max_delta_step"),
    catSmooth: n("cat_smooth"),
    catL2: n("cat_l2"),
    maxCatThreshold: n("max_cat_threshold"),
    maxCatToOnehot: n("max_cat_to_onehot"),
    minDataPerGroup: n("min_data_per_group"),
  };
}

function makeObjective(p: Params, nClasses: number): Objective {
  const task = nClasses === 0 ? "regression" : nClasses === 2 ? "binary" : "multiclass";
  const loss = p.objective === "auto" ? "squared_error" : (p.objective as string);
  return objectiveFor(task, nClasses, loss, p.huber_delta as number | null, p.huber_alpha as number);
}

async function fitBooster(p: Params, data: TrainingData): Promise<FittedGBDT> {
  const { X, nClasses } = data;
  const n = X.nRows;
  const F = X.columns.length;
  const rng = new Rng(data.seed);
  const gp = growParams(p);
  const objective = makeObjective(p, nClasses);
  const K = objective.outputs;
  const threads = chooseThreads(p.n_threads as number, n, F);
  const binner = p.histogram_kernel === "js" ? null : WasmBinning.create(Math.min(n, p.bin_sample_rows as number));
  const byColumn = X.columns.map((c, f) => fitBinMapper(c, p.max_bins as number, p.bin_sample_rows as number, data.seed + f, binner, p.max_cat_bins as number));
  // Wide categoricals (more than 255 bins) go last in the fit's feature order; trees are mapped back in forest.add.
  const columnOf = wideLast(byColumn);
  const mappers = columnOf ? Array.from(columnOf, (c) => byColumn[c]) : byColumn;
  const nNarrow = mappers.filter((m) => !isWide(m)).length;
  const meta: FeatureMeta = {
    nFeatures: F,
    off: binOffsets(mappers),
    nBins: Int32Array.from(mappers, (m) => m.nBins),
    isCat: Uint8Array.from(mappers, (m) => (m.kind === "categorical" ? 1 : 0)),
  };
  const weights = sampleWeights(data.y, nClasses, p.class_weight as string, data.weights);
  const patience = p.early_stopping_rounds as number;
  const valid = patience > 0 && data.valid ? data.valid : null;
  const { a, home } = allocateFit(
    {
      n, outputs: K, maxLeaves: gp.maxLeaves, threads, meta, split: gp, weighted: !!weights,
      holdout: patience > 0 && !valid, subsample: (p.subsample as number) < 1, kernel: p.histogram_kernel as string,
    },
    permuteColumns(X, columnOf),
    mappers,
    binner,
  );
  const { y, w, holdout } = a;
  y.set(data.y);
  if (w && weights) w.set(weights);
  // Early stopping watches a validation set: the one given, or a seeded slice of the rows (zero gradients).
  let validIdx: Uint32Array | null = null;
  if (holdout) {
    const order = rng.shuffle(Uint32Array.from({ length: n }, (_, i) => i));
    validIdx = order.slice(0, Math.max(1, Math.floor(n * (p.validation_fraction as number)))).sort();
    for (const i of validIdx) holdout[i] = 1;
  }
  const trainY = holdout ? gather(y, invert(holdout)) : y;
  const trainW = holdout && w ? gather(w, invert(holdout)) : (w ?? undefined);
  const base = objective.initScore(trainY, trainW);
  for (let k = 0; k < K; k++) a.raw.fill(base[k], k * n, (k + 1) * n);
  const validX = valid ? permuteColumns(valid.X, columnOf) : null;
  const validBins = validX ? binMatrix(leadingColumns(validX, nNarrow), mappers) : null;
  const vn = valid ? valid.X.nRows : 0;
  const validWide = validX && columnOf ? binWide(validX, mappers, nNarrow, new Uint16Array(vn * (F - nNarrow))) : null;
  const vraw = new Float64Array(vn * K);
  for (let k = 0; k < K; k++) vraw.fill(base[k], k * vn, (k + 1) * vn);

  const task = nClasses === 0 ? "regression" : nClasses === 2 ? "binary" : "multiclass";
  // Huber's delta is known now: given, or derived from the training targets by initScore; threads and the model get it.
  const huberDelta = objective instanceof Huber ? objective.delta : 1;
  const spec = { task, nClasses, loss: p.objective === "auto" ? "squared_error" : (p.objective as string), huberDelta } as const;
  const runner = await ShardRunner.start(a, withWasmGradients(objective, home), spec, kernelFor(a, home, 0), histOpsFor(a, home, 0), home);
  const rounds = p.n_estimators as number;
  // At most maxLeaves - 1 splits a tree, fewer when the depth binds (depth 0: no limit).
  const splitsPerTree = gp.maxDepth > 0 && gp.maxDepth < 30 ? Math.min(gp.maxLeaves - 1, 2 ** gp.maxDepth - 1) : gp.maxLeaves - 1;
  const forest = new ForestBuilder({ trees: rounds * K, nodes: rounds * K * splitsPerTree });
  let bestLoss = Infinity;
  let bestRound = 0;
  // Learning curve (data.onRound): the training loss on a fixed sample of at most CURVE_ROWS training rows per round
  // (on shuttle, 2,000 rows x 7 classes cost ~0.3 ms a round), and the validation loss early stopping computes anyway.
  // Its own generator: asking for the curve must not change the model (rng also draws the subsamples).
  const curveIdx = data.onRound ? curveSample(n, holdout, new Rng(data.seed ^ 0x5eed)) : null;
  const curveY = curveIdx ? gather(y, curveIdx) : null;
  const curveW = curveIdx && w ? gather(w, curveIdx) : undefined;
  const lossKey = objective.name;
  try {
    const grower = new TreeGrower(a, meta, gp, runner);
    const lr = p.learning_rate as number;
    const subsample = p.subsample as number;
    const colsample = p.colsample_bytree as number;
    for (let round = 0; round < rounds; round++) {
      runner.run(OP_GRADIENTS);
      for (let k = 0; k < K; k++) {
        if (a.sample) for (let i = 0; i < n; i++) a.sample[i] = rng.next() < subsample ? 1 : 0;
        const mask = colsample < 1 ? sampleFeatures(F, colsample, rng) : null;
        const grown = grower.grow(k, mask);
        const nLeaves = grown.tree.nLeaves;
        const values = new Float64Array(nLeaves);
        for (let l = 0; l < nLeaves; l++) values[l] = lr * leafOutput(grown.leafG[l], grown.leafH[l], gp);
        a.values.set(values);
        runner.run(OP_UPDATE, k, nLeaves);
        if (validBins) {
          const vk = vraw.subarray(k * vn, (k + 1) * vn);
          for (let i = 0; i < vn; i++) vk[i] += values[grown.tree.leafOfBinnedRow(validBins, nNarrow, i, validWide, vn)];
        }
        forest.add(grown.tree, mappers, values, k, grown.leafH, columnOf);
      }
      data.onProgress?.(round + 1, rounds);
      const validLoss =
        patience > 0
          ? valid
            ? objective.loss(valid.y, vraw, valid.weights)
            : objective.loss(gather(y, validIdx!), gatherScores(a.raw, n, K, validIdx!), w ? gather(w, validIdx!) : undefined)
          : NaN;
      if (curveIdx && curveY) {
        const trainLoss = objective.loss(curveY, gatherScores(a.raw, n, K, curveIdx), curveW);
        data.onRound!(round + 1, { [`train_${lossKey}`]: trainLoss, ...(patience > 0 ? { [`valid_${lossKey}`]: validLoss } : {}) });
      }
      if (patience > 0) {
        if (validLoss < bestLoss - 1e-12) (bestLoss = validLoss), (bestRound = round + 1);
        else if (round + 1 - bestRound >= patience) break;
      }
    }
  } finally {
    await runner.close();
  }
  const nTrees = patience > 0 ? bestRound * K : forest.nTrees;
  return new FittedGBDT({
    forest: forest.build(nTrees),
    baseScore: base,
    outputs: K,
    nClasses,
    objective: objective.name,
    huberDelta,
    featureNames: X.columns.map((c) => c.name),
    bestIteration: nTrees / K,
  });
}

const CURVE_ROWS = 2000;

/** An even sample of at most CURVE_ROWS training rows (held-out rows excluded), in row order. */
function curveSample(n: number, holdout: Uint8Array | null, rng: Rng): Uint32Array {
  const rows = holdout ? invert(holdout) : Uint32Array.from({ length: n }, (_, i) => i);
  if (rows.length <= CURVE_ROWS) return rows;
  return rng.shuffle(rows).slice(0, CURVE_ROWS).sort();
}

function invert(mask: Uint8Array): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < mask.length; i++) if (!mask[i]) out.push(i);
  return Uint32Array.from(out);
}

function gather(a: Float64Array, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let j = 0; j < idx.length; j++) out[j] = a[idx[j]];
  return out;
}

function gatherScores(raw: Float64Array, n: number, K: number, idx: Uint32Array): Float64Array {
  const m = idx.length;
  const out = new Float64Array(m * K);
  for (let k = 0; k < K; k++) for (let j = 0; j < m; j++) out[k * m + j] = raw[k * n + idx[j]];
  return out;
}

function sampleFeatures(F: number, fraction: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(F);
  const k = Math.max(1, Math.round(F * fraction));
  const order = rng.shuffle(Uint32Array.from({ length: F }, (_, i) => i));
  for (let j = 0; j < k; j++) mask[order[j]] = 1;
  return mask;
}

export interface GBDTState {
  forest: ForestState;
  baseScore: Float64Array;
  outputs: number;
  nClasses: number;
  objective: string;
  huberDelta: number;
  featureNames: string[];
  bestIteration: number;
}

export class FittedGBDT implements FittedEstimator {
  readonly name = "gbdt";
  private readonly objective: Objective;
  private readonly scorer: ForestScorer;

  constructor(readonly s: GBDTState) {
    this.scorer = new ForestScorer(s.forest, s.featureNames.length, s.outputs);
    const loss = s.objective === "huber" ? "huber" : s.objective === "poisson" ? "poisson" : "squared_error";
    this.objective = objectiveFor(s.nClasses === 0 ? "regression" : s.nClasses === 2 ? "binary" : "multiclass", s.nClasses, loss, s.huberDelta);
  }

  /** Raw (margin) scores, class-major n x outputs. */
  predictRaw(X: FeatureMatrix): Float64Array {
    const n = X.nRows;
    const K = this.s.outputs;
    const raw = new Float64Array(n * K);
    for (let k = 0; k < K; k++) raw.fill(this.s.baseScore[k], k * n, (k + 1) * n);
    this.scorer.addScores(X, raw);
    return raw;
  }

  predict(X: FeatureMatrix): Float64Array {
    return this.objective.transform(this.predictRaw(X), X.nRows);
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }

  /** TreeSHAP contributions to the raw (margin) score of each output; expected value includes the base score. */
  explain(X: FeatureMatrix): Explanation {
    return explainForest(this.s.forest, X, this.s.outputs, this.s.baseScore, this.s.nClasses === 0 ? (this.s.objective === "poisson" ? "log of the value" : "value") : this.s.nClasses === 2 ? "log-odds" : "margin");
  }

  explainNanosPerRow(): number {
    return explainNanosPerRow(this.s.forest);
  }

  /** Total gain ("gain") or number of splits ("split") per input column. */
  importance(kind = "gain"): Record<string, number> {
    const imp = forestImportance(this.s.forest, this.s.featureNames.length);
    const v = kind === "split" ? imp.split : imp.gain;
    return Object.fromEntries(this.s.featureNames.map((name, f) => [name, v[f]]));
  }
}

