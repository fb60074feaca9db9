// A validated training request: rows, classes, signature and folds worked out once, then any number of fits
// (one candidate, or the trials of a search) on the same data.

import { TrainingError, ValidationError } from "../errors.js";
import { FeaturePipeline, findColumn, type PipelineTarget } from "../features/pipeline.js";
import type { Column, Frame, Signature, Task } from "../records.js";
import { Model } from "./model.js";
import type { Estimator, TrainingData } from "./estimator.js";
import type { ModelKind } from "./models.js";
import { Rng } from "./rng.js";
import { inferSignature, taskOutput, type StrictMode } from "./signature.js";
import { kFold, stratifiedKFold, type Fold } from "./split.js";
import { DEFAULT_FIT_OPTIONS, type FitOptions } from "./fit-params.js";
import { classesOf, encodeTarget } from "./target.js";

export { DEFAULT_FIT_OPTIONS, fitOptionParams, splitParams, type FitOptions } from "./fit-params.js";

export interface SessionRequest {
  frame: Frame;
  target: string;
  features: string[];
  task: Task;
  positive?: string;
  testRows: Uint32Array;
  cvFolds: number;
  /** CV fold of each frame row (stable by row identity, see row-identity.ts); used when CV asks for cvFolds folds. */
  foldOf?: Int32Array;
  seed: number;
  strictCategories?: StrictMode;
  /** A numeric column of per-row sample weights (>= 0); not a feature. */
  weight?: string;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
}

export interface FitOutcome {
  model: Model;
  /** Feature pipeline fit + transform seconds. */
  prep: number;
  /** Learner fit seconds. */
  fit: number;
  /** CPU seconds of the process (every thread) during the learner fit: steadier than `fit` on a shared machine. */
  fitCpu: number;
}

const TASKS: readonly Task[] = ["binary", "multiclass", "regression"];

export class TrainingSession {
  readonly targetCol: Column;
  readonly trainRows: Uint32Array;
  readonly testRows: Uint32Array;
  readonly classes: string[] | undefined;
  readonly nClasses: number;
  /** Sample weights by frame row, when a weight column is given. */
  readonly weights: Float64Array | null = null;
  private signatures = new Map<StrictMode, Signature>();

  constructor(readonly req: SessionRequest) {
    const { frame, target, features, task } = req;
    if (!TASKS.includes(task)) throw new ValidationError(`unknown task "${task}"`, { path: "task", hint: `use one of ${TASKS.join(", ")}` });
    this.targetCol = findColumn(frame, target);
    if (features.length === 0) throw new ValidationError("no feature columns given", { path: "features", hint: "list at least one input column" });
    if (features.includes(target)) {
      throw new ValidationError(`the target "${target}" is also listed as a feature`, { path: "features", hint: "remove the target from the features" });
    }
    for (const f of features) findColumn(frame, f);
    const n = frame.rowCount;
    const isTest = new Uint8Array(n);
    for (const r of req.testRows) {
      if (!(r < n)) throw new ValidationError(`test row ${r} is out of range (the frame has ${n} rows)`, { path: "testRows", hint: "test rows are 0-based row numbers of the frame" });
      isTest[r] = 1;
    }
    this.trainRows = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => !isTest[i]);
    this.testRows = Uint32Array.from(req.testRows).sort();
    if (this.trainRows.length === 0) {
      throw new TrainingError(n === 0 ? "the dataset has zero rows" : "every row is a test row: nothing to train on", {
        hint: n === 0 ? "check the source table and the dataset query" : "hold out a fraction of the rows, not all",
      });
    }
    const allRows = Uint32Array.from({ length: n }, (_, i) => i);
    // Classes come from every row (so a label seen only in test still has a column); train must hold two of them.
    this.classes = task === "regression" ? undefined : classesOf(this.targetCol, allRows, task, req.positive);
    if (this.classes) classesOf(this.targetCol, this.trainRows, "multiclass");
    this.nClasses = this.classes ? this.classes.length : 0;
    if (req.weight !== undefined) {
      const w = findColumn(frame, req.weight);
      if (w.kind !== "numeric" || features.includes(req.weight) || req.weight === target) {
        throw new ValidationError(`weight column "${req.weight}" must be numeric and neither a feature nor the target`, { path: "weight", hint: "point weight at a numeric column of row weights" });
      }
      for (const r of this.trainRows) {
        if (!(w.values[r] >= 0) || !Number.isFinite(w.values[r])) {
          throw new ValidationError(`weight column "${req.weight}" is ${w.values[r]} at row ${r}`, { path: req.weight, hint: "weights must be finite numbers >= 0" });
        }
      }
      this.weights = w.values;
    }
  }

  signature(strict: StrictMode): Signature {
    let s = this.signatures.get(strict);
    if (!s) {
      const { frame, features, task } = this.req;
      const positive = this.classes && task === "binary" ? this.classes[1] : undefined;
      s = inferSignature(frame, features, this.trainRows, taskOutput(task, this.classes, positive), strict);
      this.signatures.set(strict, s);
    }
    return s;
  }

  /** Cross-validation folds over the train rows (stratified for classification). */
  folds(k: number): Fold[] {
    const { task, seed, foldOf } = this.req;
    if (foldOf && k === this.req.cvFolds) {
      const given = foldsByAssignment(this.trainRows, foldOf, k);
      if (given) return given;
    }
    if (task === "regression") return kFold(this.trainRows, k, seed);
    const labels = new Int32Array(this.targetCol.values.length).fill(-1);
    const y = encodeTarget(this.targetCol, this.trainRows, task, this.classes);
    for (let j = 0; j < this.trainRows.length; j++) labels[this.trainRows[j]] = y[j];
    return stratifiedKFold(this.trainRows, labels, k, seed);
  }

  /**
   * Fits the feature pipeline of `kind` and the unfitted `estimator` (built by the caller: `clone().setParams()` of
   * a base estimator, so the parameters were checked once) on `rows`.
   */
  async fit(kind: ModelKind, estimator: Estimator, rows: Uint32Array, stage: string, opts: FitOptions = DEFAULT_FIT_OPTIONS, onRound?: TrainingData["onRound"]): Promise<FitOutcome> {
    const { frame, features, task, target, seed } = this.req;
    const t0 = performance.now();
    const y = encodeTarget(this.targetCol, rows, task, this.classes);
    const pipelineOptions = { ...kind.pipeline, targetEncodeMinLevels: opts.targetEncoding, interactions: opts.interactions };
    const { fitted: pipeline, X } = new FeaturePipeline(pipelineOptions).fitTransform(frame, features, rows, opts.targetEncoding > 0 ? this.pipelineTarget(y) : undefined);
    const t1 = performance.now();
    const onProgress = this.req.onProgress;
    const cpu0 = process.cpuUsage();
    const fitted = await estimator.fit({
      X,
      y,
      nClasses: this.nClasses,
      seed,
      ...(this.weights ? { weights: Float64Array.from(rows, (r) => this.weights![r]) } : {}),
      onProgress: onProgress ? (done, total) => onProgress({ stage, done, total }) : undefined,
      ...(onRound ? { onRound } : {}),
    });
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const info = { model: kind.name, params: estimator.getParams(), target, millraceVersion: "", createdAt: new Date().toISOString() };
    const m = new Model(task, this.classes, this.signature(opts.strict), pipeline, fitted, info);
    return { model: m, prep: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, fitCpu: (cpu.user + cpu.system) / 1e6 };
  }

  /** Target outputs for target encoding (the class indicators for multiclass) and seeded 5-fold assignment. */
  private pipelineTarget(y: Float64Array): PipelineTarget {
    const n = y.length;
    const K = this.nClasses > 2 ? this.nClasses : 1;
    const outputs = K === 1 ? [y] : Array.from({ length: K }, (_, c) => Float64Array.from(y, (v) => (v === c ? 1 : 0)));
    const order = new Rng(this.req.seed ^ 0x7e).shuffle(Uint32Array.from({ length: n }, (_, i) => i));
    const fold = new Int32Array(n);
    for (let j = 0; j < n; j++) fold[order[j]] = j % 5;
    return { outputs, fold, folds: 5 };
  }

  /** Metrics of a model on rows of the frame. */
  evaluate(model: Model, rows: Uint32Array): Record<string, number> {
    return model.evaluate(this.req.frame, rows, this.req.target);
  }
}

/** Folds from a per-row fold assignment, or null when a fold would be empty (tiny data: seeded folds instead). */
function foldsByAssignment(trainRows: Uint32Array, foldOf: Int32Array, k: number): Fold[] | null {
  const size = new Int32Array(k);
  for (const r of trainRows) size[foldOf[r]]++;
  if (size.some((s) => s === 0)) return null;
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const test = new Uint32Array(size[f]);
    const train = new Uint32Array(trainRows.length - size[f]);
    let a = 0;
    let b = 0;
    for (const r of trainRows) (foldOf[r] === f ? (test[b++] = r) : (train[a++] = r));
    folds.push({ train, test });
  }
  return folds;
}
