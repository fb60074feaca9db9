// Drift over time for one served version: its logged traffic (the latest `maxRows` predictions) cut into consecutive
// windows of equal row counts, each compared with the training rows as the drift page compares one window (the same
// tests, thresholds and PSI per column), and the model's own output per window against its output on the held-out
// rows (prediction drift: shares per bin of the positive-class probability, of the value, or per class; PSI and mean).
// Computed from the prediction log on request, so every window the log holds has a point, whoever ran the monitor.
import type { Hono } from "hono";
import { driftOptionsOf, referencesOf } from "../app/drift.js";
import { versionEvaluation, type EvaluationReport } from "../app/evaluation.js";
import { NotFoundError } from "../errors.js";
import { driftReport } from "../monitor/drift-report.js";
import { psiFromCounts } from "../monitor/drift-stats.js";
import { predictionsToFrame, readPredictions } from "../monitor/log-reader.js";
import type { ModelVersion, Prediction } from "../records.js";
import type { UiData } from "./data.js";
import { handle, intParam, notFound, versionParam } from "./http.js";
import type { DriftHistoryResponse, DriftWindow, PredictionReference } from "./types.js";

export type { DriftHistoryResponse, DriftWindow, PredictionReference } from "./types.js";

const PSI_BANDS: [number, number] = [0.1, 0.25];
const SCORE_BINS = 10;

/** The evaluation's picture of the model's output on held-out rows, or null when it has none. */
export function predictionReference(e: EvaluationReport): PredictionReference | null {
  if (e.binary) {
    // byThreshold counts rows with p ≥ t at t = 0, 0.01, …, 1: rows in [a, b) = (≥ a) − (≥ b).
    const bt = e.binary.byThreshold;
    const n = bt.tp[0] + bt.fp[0] + bt.fn[0] + bt.tn[0];
    const atLeast = (t: number) => {
      const i = bt.threshold.findIndex((x) => Math.abs(x - t) < 1e-9);
      return i < 0 ? 0 : bt.tp[i] + bt.fp[i];
    };
    const edges = Array.from({ length: SCORE_BINS + 1 }, (_, k) => k / SCORE_BINS);
    const reference = edges.slice(0, -1).map((a, k) => (atLeast(a) - (k === SCORE_BINS - 1 ? 0 : atLeast(edges[k + 1]))) / (n || 1));
    const c = e.binary.calibration;
    const counted = c.count.reduce((s, x) => s + x, 0);
    const mean = counted ? c.predicted.reduce((s, p, i) => s + p * c.count[i], 0) / counted : null;
    return { kind: "probability", bins: edges.slice(0, -1).map((a, k) => `${a.toFixed(1)}–${edges[k + 1].toFixed(1)}`), edges, reference, referenceMean: mean, referenceRows: n };
  }
  if (e.regression && e.regression.predicted.length) {
    const p = e.regression.predicted;
    const [lo, hi] = [Math.min(...p), Math.max(...p)];
    const width = hi > lo ? (hi - lo) / SCORE_BINS : 1;
    const edges = Array.from({ length: SCORE_BINS + 1 }, (_, k) => lo + k * width);
    const reference = sharesIn(edges, p);
    const fmt = (x: number) => String(Number(x.toPrecision(3)));
    return { kind: "value", bins: edges.slice(0, -1).map((a, k) => `${fmt(a)}–${fmt(edges[k + 1])}`), edges, reference, referenceMean: p.reduce((s, x) => s + x, 0) / p.length, referenceRows: p.length };
  }
  if (e.multiclass && e.classes) {
    // Predicted class counts: the confusion matrix's column sums (rows are the truth).
    const cols = e.classes.map((_, j) => e.multiclass!.confusion.reduce((s, row) => s + (row[j] ?? 0), 0));
    const n = cols.reduce((s, x) => s + x, 0) || 1;
    return { kind: "class", bins: e.classes, edges: null, reference: cols.map((x) => x / n), referenceMean: null, referenceRows: n };
  }
  return null;
}

/** Shares of values per bin of `edges` (values outside fall into the first or last bin). */
function sharesIn(edges: number[], values: ArrayLike<number>): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    let k = 0;
    while (k < bins - 1 && x >= edges[k + 1]) k++;
    counts[k]++;
    n++;
  }
  return counts.map((c) => (n ? c / n : 0));
}

/** One window's model output in the reference's bins. */
function windowPrediction(ref: PredictionReference, preds: Prediction[], positive: string | undefined): DriftWindow["prediction"] {
  let shares: number[];
  let mean: number | null = null;
  if (ref.kind === "class") {
    const counts = ref.bins.map((c) => preds.filter((p) => p.output.label === c).length);
    const n = counts.reduce((s, x) => s + x, 0);
    if (!n) return null;
    shares = counts.map((c) => c / n);
  } else {
    const xs = preds.map((p) => (ref.kind === "value" ? p.output.value : positive !== undefined ? p.output.probabilities?.[positive] : undefined)).filter((x): x is number => typeof x === "number" && Number.isFinite(x));
    if (!xs.length) return null;
    shares = sharesIn(ref.edges!, xs);
    mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  }
  return { shares, mean, psi: psiFromCounts(Float64Array.from(ref.reference), Float64Array.from(shares)) };
}

/** The windows of a version's logged traffic, oldest first, each judged against the training rows. */
export async function driftHistory(data: UiData, mv: ModelVersion, opts: { windows: number; maxRows: number }): Promise<DriftHistoryResponse> {
  const project = data.project;
  const cfg = project.config;
  const { predictions } = await readPredictions(project.paths.predictions, mv.name, mv.version, { limit: opts.maxRows });
  if (!predictions.length) {
    throw new NotFoundError(`no logged predictions for ${mv.name} v${mv.version} yet`, { hint: `serve it (millrace serve ${project.dir}) and send traffic to /predict` });
  }
  predictions.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const minRows = cfg.monitor.min_rows;
  // As many windows as asked for, but none smaller than monitor.min_rows unless the whole log is.
  const count = Math.max(1, Math.min(opts.windows, Math.floor(predictions.length / minRows)));
  const size = Math.ceil(predictions.length / count);
  const { dataset, reference } = await referencesOf(data)(mv.datasetId);
  let prediction: PredictionReference | null = null;
  let predictionNote: string | null = null;
  try {
    prediction = predictionReference(await versionEvaluation(await data.withLake(), mv));
    if (!prediction) predictionNote = "the evaluation has no output distribution for this kind of model";
  } catch (e) {
    predictionNote = `no evaluation of v${mv.version} to compare with: ${(e as Error).message}`;
  }
  const positive = mv.signature.output.positive;
  const windows: DriftWindow[] = [];
  for (let start = 0; start < predictions.length; start += size) {
    const slice = predictions.slice(start, start + size);
    const frame = predictionsToFrame(slice, { signature: mv.signature, like: reference });
    const report = driftReport(reference, frame, { columns: dataset.features, ...driftOptionsOf(cfg), psiBands: PSI_BANDS });
    windows.push({
      from: slice[0].at,
      to: slice[slice.length - 1].at,
      rows: slice.length,
      enoughRows: slice.length >= minRows,
      driftedColumns: report.driftedColumns,
      datasetDrift: report.datasetDrift,
      columns: Object.fromEntries(report.columns.map((c) => [c.column, { psi: c.psi, score: c.score, drifted: c.drifted, method: c.method }])),
      prediction: prediction ? windowPrediction(prediction, slice, positive) : null,
    });
  }
  return { model: mv.name, version: mv.version, columns: dataset.features, minRows, psiBands: PSI_BANDS, rowsRead: predictions.length, windows, prediction, predictionNote };
}

export function driftHistoryRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/monitoring/:name/:version/drift-history",
    handle(async (c): Promise<DriftHistoryResponse> => {
      const name = c.req.param("name") ?? "";
      const version = versionParam(c);
      const windows = intParam(c, "windows", 12, 1, 100);
      const maxRows = intParam(c, "rows", 100_000, 1, 2_000_000);
      const { meta } = await data.meta();
      const mv = await meta.getModelVersion(name, version);
      if (!mv) throw notFound(`no version ${version} of model ${name}`, "list the versions with: millrace models");
      return driftHistory(data, mv, { windows, maxRows });
    }, log),
  );
}
