// A model version's evaluation, written once for the dashboard and any other reader: its artifact scores the test rows
// of the dataset it was registered with (rows it did not train on), giving ROC / PR curves, the confusion matrix at
// every threshold, calibration, permutation importance, and residuals for regression. Kept as a run artifact.
import { ValidationError } from "../errors.js";
import { loadDataset, takeRows } from "../flow/steps/dataset.js";
import type { Resources } from "../flow/resources.js";
import { calibrationCurve, confusionMatrix, precisionRecallCurve, rocCurve, averagePrecision } from "../learn/curves.js";
import { permutationImportance } from "../learn/importance.js";
import { defaultMetric, metricDef } from "../learn/metric-registry.js";
import { loadModel, type Model } from "../learn/model.js";
import type { Frame, ModelVersion } from "../records.js";
import { isRecommenderArtifact } from "../recommend/predictor.js";
import type { BinaryEvaluation, EvaluationReport, RegressionEvaluation } from "./evaluation-report.js";

export type { BinaryEvaluation, EvaluationReport, RegressionEvaluation };

/** Bumped when the report's shape or computation changes: a stored report of another format is computed again. */
export const EVALUATION_FORMAT = 2;
/** Points kept per curve (every distinct score of a large test set would be thousands). */
const MAX_CURVE_POINTS = 400;
/** Residual points kept for the scatter (an even sample of the test rows, in row order). */
const MAX_RESIDUAL_POINTS = 1500;
const THRESHOLD_STEPS = 100;
const IMPORTANCE_REPEATS = 3;
/** Test rows explained for the SHAP summary (an even sample when there are more). */
const MAX_SHAP_ROWS = 1000;

/** Where a version's report is kept: beside its run's other artifacts, one file per model version and report format. */
export const evaluationKey = (mv: ModelVersion) => `runs/${mv.runId}/evaluation-${mv.name}-v${mv.version}${EVALUATION_FORMAT > 1 ? `-f${EVALUATION_FORMAT}` : ""}.json`;

/**
 * The stored report of a version, or a new one computed and stored (on the run, so `millrace` commands and the API
 * read the same file). Versions are immutable, so a stored report stays true.
 */
export async function versionEvaluation(r: Resources, mv: ModelVersion): Promise<EvaluationReport> {
  const key = evaluationKey(mv);
  const run = await r.meta.getRun(mv.runId);
  const stored = run?.artifacts.find((u) => u.endsWith(`/${key}`) || u.endsWith(`:${key}`));
  if (stored) {
    try {
      const report = JSON.parse(new TextDecoder().decode(await r.artifacts.get(stored))) as EvaluationReport;
      if (report.format === EVALUATION_FORMAT) return report;
    } catch {
      // unreadable or removed: computed again below
    }
  }
  const report = await evaluateVersion(r, mv);
  if (run && !stored) {
    try {
      const uri = await r.artifacts.put(key, new TextEncoder().encode(JSON.stringify(report)));
      await r.meta.addArtifact(run.id, uri);
    } catch {
      // another request stored it first (keys are write-once): its report is the same
    }
  }
  return report;
}

/** Scores the version's test rows with its artifact and summarises the answers (no caching). */
export async function evaluateVersion(r: Resources, mv: ModelVersion): Promise<EvaluationReport> {
  const t0 = performance.now();
  const bytes = await r.registry.loadArtifact(mv);
  if (isRecommenderArtifact(bytes)) throw new ValidationError(`${mv.name} v${mv.version} is a recommender: no tabular evaluation`, { path: "version", hint: "its held-out rating and ranking metrics (ndcg_at_10, …) are the version's metrics" });
  const model = loadModel(bytes);
  const ds = await loadDataset(r, mv.datasetId);
  const { target, positive } = ds.dataset;
  const rows = ds.test;
  if (rows.length === 0) throw new ValidationError(`dataset ${ds.dataset.id} has no test rows to evaluate ${mv.name} v${mv.version} on`, { path: "dataset.split.test_fraction" });
  const { y, out, k } = model.scored(ds.frame, rows, target, positive);
  const metrics = model.evaluate(ds.frame, rows, target, positive);
  const task = model.task;
  const configured = r.project.config.train.metric;
  const metric = configured && metrics[configured] !== undefined ? configured : defaultMetric(task);
  const drops = permutationImportance(model, ds.frame, rows, target, metric, IMPORTANCE_REPEATS, ds.dataset.split.seed);
  return {
    format: EVALUATION_FORMAT,
    model: mv.name,
    version: mv.version,
    runId: mv.runId,
    datasetId: ds.dataset.id,
    task,
    testRows: rows.length,
    trainRows: ds.train.length,
    classes: model.classes ?? null,
    metrics,
    binary: task === "binary" ? binaryEvaluation(y, out, model.classes!) : null,
    multiclass: task === "multiclass" ? { confusion: confusionMatrix(y, argmax(out, k), k) } : null,
    regression: task === "regression" ? regressionEvaluation(y, out) : null,
    importance: {
      metric,
      higherIsBetter: metricDef(metric).higherIsBetter,
      repeats: IMPORTANCE_REPEATS,
      features: Object.entries(drops).map(([feature, drop]) => ({ feature, drop })).sort((a, b) => b.drop - a.drop),
    },
    shap: shapSummary(model, ds.frame, rows),
    computedAt: new Date().toISOString(),
    computeMs: Math.round(performance.now() - t0),
  };
}

function argmax(out: Float64Array, k: number): Int32Array {
  const n = out.length / k;
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
    pred[i] = best;
  }
  return pred;
}

export function binaryEvaluation(y: Float64Array, out: Float64Array, classes: string[]): BinaryEvaluation {
  const n = y.length;
  const p1 = new Float64Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) (p1[i] = out[i * 2 + 1]), (positives += y[i] === 1 ? 1 : 0);
  const negatives = n - positives;
  const both = positives > 0 && negatives > 0;
  const roc = rocCurve(y, p1);
  const pr = precisionRecallCurve(y, p1);
  const byThreshold = { threshold: [] as number[], tp: [] as number[], fp: [] as number[], fn: [] as number[], tn: [] as number[] };
  // Counts per threshold from the sorted scores: one pass over the rows per step would be 100 passes.
  const order = Array.from(p1.keys()).sort((a, b) => p1[b] - p1[a]);
  let j = 0;
  let tp = 0;
  let fp = 0;
  for (let s = THRESHOLD_STEPS; s >= 0; s--) {
    const t = s / THRESHOLD_STEPS;
    while (j < n && p1[order[j]] >= t) (y[order[j]] === 1 ? tp++ : fp++), j++;
    byThreshold.threshold.push(t);
    byThreshold.tp.push(tp);
    byThreshold.fp.push(fp);
    byThreshold.fn.push(positives - tp);
    byThreshold.tn.push(negatives - fp);
  }
  for (const key of ["threshold", "tp", "fp", "fn", "tn"] as const) byThreshold[key].reverse();
  return {
    negative: classes[0],
    positive: classes[1],
    positives,
    negatives,
    roc: { ...thin({ fpr: roc.fpr, tpr: roc.tpr, thresholds: roc.thresholds.map(finiteOrOne) }), auc: both ? trapezoid(roc.fpr, roc.tpr) : null },
    pr: { ...thin({ precision: pr.precision, recall: pr.recall, thresholds: pr.thresholds }), averagePrecision: both ? averagePrecision(y, p1) : null },
    byThreshold,
    calibration: calibrationCurve(y, p1, 10),
  };
}

const finiteOrOne = (v: number) => (Number.isFinite(v) ? v : 1);

function trapezoid(x: number[], y: number[]): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return a;
}

/** At most MAX_CURVE_POINTS evenly spaced points of parallel arrays, first and last kept. */
function thin<T extends Record<string, number[]>>(curve: T): T {
  const n = Object.values(curve)[0].length;
  if (n <= MAX_CURVE_POINTS) return curve;
  const keep: number[] = [];
  for (let i = 0; i < MAX_CURVE_POINTS; i++) keep.push(Math.round((i * (n - 1)) / (MAX_CURVE_POINTS - 1)));
  return Object.fromEntries(Object.entries(curve).map(([k, v]) => [k, keep.map((i) => v[i])])) as T;
}

export function regressionEvaluation(y: Float64Array, pred: Float64Array): RegressionEvaluation {
  const n = y.length;
  const m = Math.min(n, MAX_RESIDUAL_POINTS);
  const sample = { actual: [] as number[], predicted: [] as number[], residual: [] as number[] };
  for (let j = 0; j < m; j++) {
    const i = Math.floor((j * n) / m);
    sample.actual.push(y[i]);
    sample.predicted.push(pred[i]);
    sample.residual.push(y[i] - pred[i]);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) (lo = Math.min(lo, y[i] - pred[i])), (hi = Math.max(hi, y[i] - pred[i]));
  const bins = 20;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((y[i] - pred[i] - lo) / width))]++;
  return { ...sample, histogram: { edges: Array.from({ length: bins + 1 }, (_, b) => lo + b * width), counts } };
}

/** Mean |contribution| per feature of the first explained output over an even sample of `rows`; null if unexplainable. */
export function shapSummary(model: Model, frame: Frame, rows: Uint32Array): EvaluationReport["shap"] {
  if (!model.estimator.explain) return null;
  const m = Math.min(rows.length, MAX_SHAP_ROWS);
  const sample = new Uint32Array(m);
  for (let j = 0; j < m; j++) sample[j] = rows[Math.floor((j * rows.length) / m)];
  const explained = model.explainFrame(takeRows(frame, sample));
  const sums = new Map<string, number>();
  for (const row of explained) for (const c of row[0].contributions) sums.set(c.feature, (sums.get(c.feature) ?? 0) + Math.abs(c.value));
  const first = explained[0]?.[0];
  if (!first) return null;
  return {
    output: first.output,
    scale: first.scale,
    rows: m,
    features: [...sums].map(([feature, sum]) => ({ feature, meanAbs: sum / m })).sort((a, b) => b.meanAbs - a.meanAbs),
  };
}
