// Label joins: remembers recent predictions by id, joins labels posted later (POST /feedback), tracks live metrics and decay.
import type { Registry } from "prom-client";
import { ValidationError } from "../errors.js";
import { metricDecay } from "../learn/metric-registry.js";
import type { Prediction, PredictionOutput, Signature } from "../records.js";
import { monitorMetrics, type MonitorMetrics } from "./metrics.js";
import type { LoggedRequest } from "./prediction-log.js";

export interface FeedbackItem {
  id: string;
  /** True class (classification). */
  label?: string;
  /** True value (regression). */
  value?: number;
}

export interface FeedbackResult {
  joined: number;
  /** Ids with no remembered prediction: never served here, forgotten (capacity), or already labelled. */
  unknown: string[];
}

export interface VersionReference {
  /** Metrics measured on the test split at training (ModelVersion.metrics). */
  metrics: Record<string, number>;
  /** Binary: the positive class, for ROC-AUC. */
  positive?: string;
}

export interface FeedbackOptions {
  /** Predictions remembered for joining (oldest forgotten first); default 200,000. */
  capacity?: number;
  /** Labelled predictions per model version that the live metrics are computed over; default 1,000. */
  window?: number;
  /** Training metrics of a model version, to compute decay against. */
  reference?: (model: string, version: number) => VersionReference | undefined;
  registry?: Registry;
  /** What the served models predict (task and classes): labels are checked against it. */
  targets?: () => ReadonlyArray<Signature["output"]>;
}

interface Remembered {
  model: string;
  version: number;
  output: PredictionOutput;
}

interface Labelled {
  output: PredictionOutput;
  label?: string;
  value?: number;
}

/** ROC-AUC by ranks (ties share the mean rank): the probability a positive scores above a negative. */
export function rocAuc(scores: Float64Array, positive: Uint8Array): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (positive[order[k]]) (rankSum += rank, pos++);
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Metrics over labelled predictions: accuracy, log_loss, roc_auc (binary) or mae, rmse. */
export function liveMetrics(items: ReadonlyArray<Labelled>, positive?: string): Record<string, number> {
  const n = items.length;
  if (n === 0) return {};
  if (items[0].value !== undefined || items[0].output.value !== undefined) {
    let abs = 0;
    let sq = 0;
    for (const it of items) {
      const e = (it.output.value ?? NaN) - (it.value ?? NaN);
      abs += Math.abs(e);
      sq += e * e;
    }
    return { mae: abs / n, rmse: Math.sqrt(sq / n) };
  }
  let hits = 0;
  let ll = 0;
  const scores = new Float64Array(n);
  const pos = new Uint8Array(n);
  items.forEach((it, i) => {
    if (it.output.label === it.label) hits++;
    const p = it.output.probabilities?.[it.label ?? ""] ?? 0;
    ll -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, p)));
    if (positive !== undefined) {
      scores[i] = it.output.probabilities?.[positive] ?? 0;
      pos[i] = it.label === positive ? 1 : 0;
    }
  });
  const out: Record<string, number> = { accuracy: hits / n, log_loss: ll / n };
  if (positive !== undefined) {
    const auc = rocAuc(scores, pos);
    if (!Number.isNaN(auc)) out.roc_auc = auc;
  }
  return out;
}

export class FeedbackJoiner {
  private readonly recent = new Map<string, Remembered>();
  private readonly windows = new Map<string, Labelled[]>();
  private readonly capacity: number;
  private readonly window: number;
  private readonly metrics: MonitorMetrics | null;

  constructor(private readonly opts: FeedbackOptions = {}) {
    this.capacity = opts.capacity ?? 200_000;
    this.window = opts.window ?? 1000;
    this.metrics = opts.registry ? monitorMetrics(opts.registry) : null;
  }

  /** A PredictionSink: remembers the prediction for a later label (shadow answers are not joined). */
  log(p: Prediction): void {
    if (p.alias !== "shadow") this.remember(p.id, p.model, p.version, p.output);
  }

  /** The same for a whole answered request. */
  logRequest(r: LoggedRequest): void {
    if (r.alias === "shadow") return;
    for (let i = 0; i < r.ids.length; i++) this.remember(r.ids[i], r.model, r.version, r.outputs[i]);
  }

  private remember(id: string, model: string, version: number, output: PredictionOutput): void {
    if (this.recent.size >= this.capacity) {
      // Maps iterate in insertion order: the first key is the oldest prediction.
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.set(id, { model, version, output });
  }

  /** Validates a POST /feedback body against the served models' outputs (classes or a number). */
  parse(body: unknown): FeedbackItem[] {
    return parseFeedback(body, this.opts.targets?.() ?? []);
  }

  /** Validates a POST /feedback body and joins each label to its prediction. */
  handle(body: unknown): FeedbackResult {
    const result = this.join(this.parse(body));
    this.countUnknown(result.unknown.length);
    return result;
  }

  /** Counts labels whose prediction no process remembers (after asking the other serving workers). */
  countUnknown(n: number): void {
    if (n > 0) this.metrics?.feedback.labels("unknown_id").inc(n);
  }

  /** Joins validated labels to the predictions remembered here; the rest come back as unknown (not counted). */
  join(items: FeedbackItem[]): FeedbackResult {
    const result: FeedbackResult = { joined: 0, unknown: [] };
    const touched = new Set<string>();
    for (const it of items) {
      const p = this.recent.get(it.id);
      if (!p) {
        result.unknown.push(it.id);
        continue;
      }
      // One label per prediction: forgetting it on join makes a repeated post a no-op.
      this.recent.delete(it.id);
      const key = `${p.model}@${p.version}`;
      let w = this.windows.get(key);
      if (!w) this.windows.set(key, (w = []));
      w.push({ output: p.output, label: it.label, value: it.value });
      if (w.length > this.window) w.splice(0, w.length - this.window);
      touched.add(key);
      result.joined++;
      this.metrics?.feedback.labels("joined").inc();
    }
    for (const key of touched) this.publish(key);
    return result;
  }

  /** Live metrics of one model version over its window of labelled predictions, and their decay from training. */
  status(model: string, version: number): { labelled: number; live: Record<string, number>; decay: Record<string, number> } {
    const w = this.windows.get(`${model}@${version}`) ?? [];
    const ref = this.opts.reference?.(model, version);
    const live = liveMetrics(w, ref?.positive);
    const decay: Record<string, number> = {};
    for (const [k, v] of Object.entries(live)) {
      const t = ref?.metrics[k];
      if (t !== undefined && Number.isFinite(t)) decay[k] = metricDecay(k, t, v);
    }
    return { labelled: w.length, live, decay };
  }

  private publish(key: string): void {
    if (!this.metrics) return;
    const at = key.lastIndexOf("@");
    const model = key.slice(0, at);
    const version = Number(key.slice(at + 1));
    const s = this.status(model, version);
    for (const [k, v] of Object.entries(s.live)) this.metrics.liveMetric.labels(model, String(version), k).set(v);
    for (const [k, v] of Object.entries(s.decay)) this.metrics.decay.labels(model, String(version), k).set(v);
  }
}

/** What a label must be: one of the served models' classes, or a number for a regression. */
interface Expected {
  classes: Set<string> | null;
  classification: boolean;
  regression: boolean;
}

function expectedOf(targets: ReadonlyArray<Signature["output"]>): Expected | null {
  if (targets.length === 0) return null;
  const cls = targets.filter((t) => t.task !== "regression");
  // A classifier without recorded classes accepts any label (older signatures).
  const classes = cls.length > 0 && cls.every((t) => t.classes && t.classes.length > 0) ? new Set(cls.flatMap((t) => t.classes!)) : null;
  return { classes, classification: cls.length > 0, regression: cls.length < targets.length };
}

function shown(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v);
}

/** The fields a label feedback entry may hold (what parseFeedback reads; the HTTP layer refuses others by name). */
export const LABEL_FEEDBACK_FIELDS: readonly string[] = ["id", "label", "value"];

/**
 * `{"feedback":[{"id":..., "label"|"value": ...}]}` → items; errors name the entry (`feedback[2].label`). With the served
 * models' outputs, a label must be one of their classes (a number or boolean counts as its text: 1 for class "1") and a
 * regression needs a numeric value: one wrong label would otherwise move live accuracy and decay, and fire a retrain.
 */
export function parseFeedback(body: unknown, targets: ReadonlyArray<Signature["output"]> = []): FeedbackItem[] {
  const list = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as { feedback?: unknown }).feedback : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ValidationError("feedback must be a non-empty array", { path: "feedback", hint: 'send {"feedback":[{"id":"<prediction id>","label":"Yes"}]}' });
  }
  const want = expectedOf(targets);
  const classList = want?.classes ? [...want.classes].map((c) => JSON.stringify(c)).join(", ") : "";
  return list.map((x: unknown, i) => {
    const where = `feedback[${i}]`;
    if (x === null || typeof x !== "object" || Array.isArray(x)) throw new ValidationError(`${where} must be an object`, { path: where });
    const { id, label: rawLabel, value } = x as Record<string, unknown>;
    if (typeof id !== "string" || id === "") throw new ValidationError(`${where}.id must be a prediction id (string)`, { path: `${where}.id`, hint: "use an id from the ids of a /predict answer" });
    if (rawLabel === undefined && value === undefined) throw new ValidationError(`${where} needs a label (classification) or a value (regression)`, { path: where });
    let label = rawLabel;
    if (want?.classes && (typeof label === "number" || typeof label === "boolean") && want.classes.has(String(label))) label = String(label);
    if (label !== undefined && typeof label !== "string") {
      throw new ValidationError(`${where}.label must be a string, got ${shown(label)}`, { path: `${where}.label`, ...(classList ? { hint: `one of ${classList}` } : {}) });
    }
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) throw new ValidationError(`${where}.value must be a finite number`, { path: `${where}.value` });
    if (want) {
      if (label !== undefined && !want.classification) {
        throw new ValidationError(`${where}.label: the served model is a regression`, { path: `${where}.label`, hint: "send the true value as value (a number)" });
      }
      if (label !== undefined && want.classes && !want.classes.has(label)) {
        throw new ValidationError(`${where}.label ${shown(label)} is not a class of the served model`, { path: `${where}.label`, hint: `one of ${classList}` });
      }
      if (label === undefined && value !== undefined && !want.regression) {
        throw new ValidationError(`${where}.value: the served model is a classifier`, { path: `${where}.value`, hint: `send the true class as label${classList ? `: one of ${classList}` : ""}` });
      }
    }
    return { id, label: label as string | undefined, value: value as number | undefined };
  });
}
