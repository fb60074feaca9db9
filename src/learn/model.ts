// A trained model as the rest of Millrace sees it: feature pipeline + fitted learner + signature, savable as bytes.

import { ValidationError } from "../errors.js";
import { FittedFeaturePipeline, findColumn, type PipelineState } from "../features/pipeline.js";
import type { FeatureMatrix } from "../features/matrix.js";
import { RecordsTransform } from "../features/records-transform.js";
import type { Frame, PredictionOutput, Predictor, Signature, Task } from "../records.js";
import { ArtifactError, decodeArtifact, encodeArtifact, MILLRACE_VERSION } from "./artifact.js";
import type { FittedEstimator } from "./estimator.js";
import { explanationRows, type OutputExplanation } from "./explain/rows.js";
import { MODELS } from "./models.js";
import { explainingLearners } from "./model-specs.js";
import { encodeTarget } from "./target.js";
import { taskMetrics } from "./task-metrics.js";

export interface TrainedModel extends Predictor {
  readonly task: Task;
  /** Binary: [negative, positive]. */
  readonly classes?: string[];
  predictFrame(frame: Frame): PredictionOutput[];
  /** Per record and output: base value + top-k column contributions = the learner's raw score (see Model.explainFrame). */
  explainRecords(records: ReadonlyArray<Record<string, unknown>>, topK?: number): OutputExplanation[][];
  /** Metrics of this model on the given rows of a frame (the gate compares champion and challenger on the same rows). */
  evaluate(frame: Frame, rows: Uint32Array, target: string, positive?: string): Record<string, number>;
  /** Versioned artifact: Millrace version, fitted feature pipeline, learner state. */
  toBytes(): Uint8Array;
}

export interface ModelInfo {
  model: string;
  params: Record<string, unknown>;
  target: string;
  millraceVersion: string;
  createdAt: string;
}

export class Model implements TrainedModel {
  readonly classes?: string[];
  /** Messages about how this model was loaded (e.g. written by another Millrace version). */
  readonly warnings: string[] = [];
  private rows: RecordsTransform | null = null;
  /** The per-class probabilities object of one row (probabilitiesMaker), made on first use. */
  private probabilities: ProbabilitiesMaker | null | undefined = undefined;
  /** The learner's answers of predictRecords calls up to SCORES_REUSE_MAX values (reused). */
  private scores = new Float64Array(0);

  constructor(
    readonly task: Task,
    classes: string[] | undefined,
    readonly signature: Signature,
    readonly pipeline: FittedFeaturePipeline,
    readonly estimator: FittedEstimator,
    readonly info: ModelInfo,
  ) {
    if (classes) this.classes = classes;
  }

  /** Row-major learner output for a frame: n x classes probabilities, or n values. */
  scoreFrame(frame: Frame, rows?: Uint32Array): Float64Array {
    return this.estimator.predict(this.pipeline.transform(frame, rows));
  }

  predictFrame(frame: Frame): PredictionOutput[] {
    return this.toOutputs(this.scoreFrame(frame), frame.rowCount);
  }

  /** Records are written straight into reused feature arrays (no Frame): the serving path. */
  predictRecords(records: ReadonlyArray<Record<string, unknown>>): PredictionOutput[] {
    const X = (this.rows ??= new RecordsTransform(this.pipeline.state)).transform(records);
    const n = records.length;
    // A learner that writes into a given array scores small calls into a reused one (read at once by toOutputs).
    const size = n * (this.classes?.length ?? 1);
    if (this.estimator.predictInto && size <= SCORES_REUSE_MAX) {
      if (this.scores.length < size) this.scores = new Float64Array(Math.min(SCORES_REUSE_MAX, Math.max(size, 2 * this.scores.length)));
      this.estimator.predictInto(X, this.scores);
      return this.toOutputs(this.scores, n);
    }
    return this.toOutputs(this.estimator.predict(X), n);
  }

  /** Whether explainFrame can answer (tree and linear models). */
  get explainable(): boolean {
    return this.estimator.explain !== undefined;
  }

  /**
   * Why each row scored as it did: per output, base value + each column's contribution = the learner's raw score
   * (TreeSHAP for tree models, coefficient × value for linear ones); `topK` keeps the largest contributions.
   */
  explainFrame(frame: Frame, topK = Infinity): OutputExplanation[][] {
    return this.explainMatrix(this.pipeline.transform(frame), frame.rowCount, topK);
  }

  /** explainFrame for records, through the serving path's reused feature arrays (no Frame), as predictRecords. */
  explainRecords(records: ReadonlyArray<Record<string, unknown>>, topK = Infinity): OutputExplanation[][] {
    return this.explainMatrix((this.rows ??= new RecordsTransform(this.pipeline.state)).transform(records), records.length, topK);
  }

  private explainMatrix(X: FeatureMatrix, n: number, topK: number): OutputExplanation[][] {
    if (!this.estimator.explain) {
      throw new ValidationError(`a ${this.info.model} model cannot explain its predictions`, { path: "explain", hint: explainingLearners() });
    }
    const e = this.estimator.explain(X);
    const names = this.task === "regression" ? ["value"] : e.outputs === 1 ? [this.classes![this.classes!.length - 1]] : this.classes!;
    return explanationRows(e, n, names, topK);
  }

  private toOutputs(out: Float64Array, n: number): PredictionOutput[] {
    const res: PredictionOutput[] = new Array(n);
    if (this.task === "regression") {
      for (let i = 0; i < n; i++) res[i] = { value: out[i] };
      return res;
    }
    const classes = this.classes!;
    const k = classes.length;
    if (this.probabilities === undefined) this.probabilities = probabilitiesMaker(classes);
    const make = this.probabilities;
    if (make !== null) {
      for (let i = 0; i < n; i++) res[i] = { label: this.labelAt(out, i), probabilities: make(out, i * k) };
      return res;
    }
    for (let i = 0; i < n; i++) {
      const probabilities: Record<string, number> = {};
      for (let c = 0; c < k; c++) probabilities[classes[c]] = out[i * k + c];
      res[i] = { label: this.labelAt(out, i), probabilities };
    }
    return res;
  }

  /** The predicted class of row i of scoreFrame's output (classification models). */
  labelAt(out: Float64Array, i: number): string {
    const classes = this.classes!;
    const k = classes.length;
    // Binary: the positive class wins at probability >= 0.5, the threshold the metrics use.
    if (k === 2) return out[i * 2 + 1] >= 0.5 ? classes[1] : classes[0];
    let best = 0;
    for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
    return classes[best];
  }

  evaluate(frame: Frame, rows: Uint32Array, target: string, positive?: string): Record<string, number> {
    const { y, out, k } = this.scored(frame, rows, target, positive);
    return taskMetrics(this.task, y, out, k);
  }

  /** Truth (class indices or values) and outputs on rows of a frame: what metrics and the gate's bootstrap read. */
  scored(frame: Frame, rows: Uint32Array, target: string, positive?: string): { y: Float64Array; out: Float64Array; k: number } {
    if (positive !== undefined && this.task === "binary" && positive !== this.classes![1]) {
      throw new ValidationError(`the model's positive class is "${this.classes![1]}", not "${positive}"`, {
        path: "positive",
        hint: "compare models trained with the same positive label",
      });
    }
    const y = encodeTarget(findColumn(frame, target), rows, this.task, this.classes);
    return { y, out: this.scoreFrame(frame, rows), k: this.classes?.length ?? 0 };
  }

  toBytes(): Uint8Array {
    return encodeArtifact({
      kind: "millrace-model",
      info: { ...this.info, millraceVersion: MILLRACE_VERSION },
      task: this.task,
      classes: this.classes ?? null,
      signature: this.signature,
      pipeline: this.pipeline.state,
      estimator: { name: this.estimator.name, state: this.estimator.state() },
    });
  }
}

/** predictRecords calls of up to this many answer values (records × classes) reuse one array for the learner's answers. */
const SCORES_REUSE_MAX = 65_536;

type ProbabilitiesMaker = (out: Float64Array, at: number) => Record<string, number>;

/** Classes past this many keep the keyed stores (a literal that large is no faster). */
const MAX_LITERAL_CLASSES = 64;

/**
 * `{ [classes[0]]: out[at], [classes[1]]: out[at + 1], … }` as one generated object literal: the same properties in the
 * same order as a store per class (a quoted "__proto__" key is the prototype setter in both, which ignores a number),
 * without a keyed store per class per row. Null for many classes. Class names enter the code only through JSON.stringify.
 */
export function probabilitiesMaker(classes: readonly string[]): ProbabilitiesMaker | null {
  if (classes.length > MAX_LITERAL_CLASSES) return null;
  const literal = classes.map((c, k) => `${JSON.stringify(c)}: out[at + ${k}]`).join(", ");
  return new Function(`return function probabilities(out, at) { return { ${literal} }; };`)() as ProbabilitiesMaker;
}

interface SavedModel {
  kind: string;
  info: ModelInfo;
  task: Task;
  classes: string[] | null;
  signature: Signature;
  pipeline: PipelineState;
  estimator: { name: string; state: Record<string, unknown> };
}

/** Rebuilds a model from toBytes() output; refuses foreign or incompatible files, warns on a version change. */
export function loadModel(bytes: Uint8Array): Model {
  const saved = decodeArtifact(bytes) as SavedModel;
  if (!saved || saved.kind !== "millrace-model") {
    throw new ArtifactError("the file is a Millrace artifact but not a model", { hint: "pass a model.bin written by training" });
  }
  const kind = MODELS[saved.estimator?.name];
  if (!kind) {
    throw new ArtifactError(`model kind "${saved.estimator?.name}" is unknown to this Millrace ${MILLRACE_VERSION}`, {
      hint: "upgrade Millrace or retrain the model",
    });
  }
  const model = new Model(
    saved.task,
    saved.classes ?? undefined,
    saved.signature,
    new FittedFeaturePipeline(saved.pipeline),
    kind.restore(saved.estimator.state),
    saved.info,
  );
  if (saved.info.millraceVersion !== MILLRACE_VERSION) {
    model.warnings.push(`model written by Millrace ${saved.info.millraceVersion}, loaded by ${MILLRACE_VERSION}`);
  }
  return model;
}
