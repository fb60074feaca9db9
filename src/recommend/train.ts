// One recommendation training: interactions split into train and held-out rows, ids coded from the train rows,
// the learner fitted, evaluated on rows it never saw, wrapped with its id maps as a RecommenderModel.

import { TrainingError, ValidationError } from "../errors.js";
import { resolveParams } from "../learn/params.js";
import { MILLRACE_VERSION } from "../learn/artifact.js";
import { evaluateRecommender, relevanceRule, type Evaluation, type Relevance } from "./evaluate.js";
import { csr, type FeatureEncoding, type RecTrainingData, type SideFeatures } from "./interactions.js";
import { RecommenderModel, type RecommenderInfo } from "./model.js";
import { recommenderKind } from "./registry.js";

/** Interactions with ids as text (as written in the file): the input of training. */
export interface InteractionTable {
  users: readonly string[];
  items: readonly string[];
  /** null: implicit feedback (each row is one interaction of strength 1, or its weight). */
  ratings: Float64Array | null;
  weights?: Float64Array;
  time?: Float64Array;
  columns: RecommenderInfo["columns"];
  /** Per-id side features for the two-tower model (keyed by the same id text). */
  userFeatures?: IdFeatures;
  itemFeatures?: IdFeatures;
}

export interface IdFeatures {
  ids: readonly string[];
  numeric: Record<string, Float64Array>;
  categorical: Record<string, readonly (string | null)[]>;
}

export interface RecTrainRequest {
  table: InteractionTable;
  model: string;
  params?: Record<string, unknown>;
  /** Rows held out for evaluation (0-based positions in the table). */
  testRows: Uint32Array;
  seed: number;
  k?: number;
  relevant?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Per-user values stay out: a result is logged and sent between processes; the gate recomputes them on its own rows. */
export interface RecTrainResult extends Omit<Evaluation, "perUser"> {
  model: RecommenderModel;
  params: Record<string, unknown>;
  relevance: Relevance;
  trainRows: number;
  trainSeconds: number;
  /** CPU seconds of the fit, all threads of this process (process.cpuUsage): comparable on a loaded machine. */
  trainCpuSeconds: number;
}

function code(ids: readonly string[], rows: ArrayLike<number>): { codes: Int32Array; index: Map<string, number>; list: string[] } {
  const index = new Map<string, number>();
  const list: string[] = [];
  const codes = new Int32Array(rows.length);
  for (let x = 0; x < rows.length; x++) {
    const id = ids[rows[x]];
    let c = index.get(id);
    if (c === undefined) index.set(id, (c = list.length)), list.push(id);
    codes[x] = c;
  }
  return { codes, index, list };
}

/** Side features in code order: numeric z-scored over known ids, categories coded 1.. (0 = unknown / missing). */
function sideFeatures(f: IdFeatures | undefined, index: Map<string, number>, n: number): SideFeatures | undefined {
  if (!f) return undefined;
  const row = new Int32Array(n).fill(-1);
  f.ids.forEach((id, r) => {
    const c = index.get(id);
    if (c !== undefined) row[c] = r;
  });
  const numericNames = Object.keys(f.numeric);
  const categoricalNames = Object.keys(f.categorical);
  const numeric = new Float32Array(n * numericNames.length);
  const encoding: FeatureEncoding = { mean: [], sd: [], levels: [] };
  numericNames.forEach((name, j) => {
    const v = f.numeric[name];
    let s = 0, s2 = 0, m = 0;
    for (let c = 0; c < n; c++) if (row[c] >= 0 && Number.isFinite(v[row[c]])) (s += v[row[c]]), (s2 += v[row[c]] ** 2), m++;
    const mean = m ? s / m : 0;
    const sd = m ? Math.sqrt(Math.max(s2 / m - mean * mean, 0)) || 1 : 1;
    encoding.mean.push(mean), encoding.sd.push(sd);
    for (let c = 0; c < n; c++) {
      const x = row[c] >= 0 ? v[row[c]] : NaN;
      numeric[c * numericNames.length + j] = Number.isFinite(x) ? (x - mean) / sd : 0;
    }
  });
  const categorical = new Int32Array(n * categoricalNames.length);
  const cardinality = categoricalNames.map((name, j) => {
    const levels = new Map<string, number>();
    for (let c = 0; c < n; c++) {
      const x = row[c] >= 0 ? f.categorical[name][row[c]] : null;
      if (x === null || x === undefined) continue;
      let l = levels.get(x);
      if (l === undefined) levels.set(x, (l = levels.size + 1));
      categorical[c * categoricalNames.length + j] = l;
    }
    encoding.levels.push([...levels.keys()]);
    return levels.size + 1;
  });
  return { numeric, numericNames, categorical, categoricalNames, cardinality, encoding };
}

/** Sorted distinct values and their counts: the training ratings kept in the artifact for rating drift. */
function valueCounts(x: Float64Array): { values: Float64Array; counts: Float64Array } {
  const s = Float64Array.from(x).sort();
  const values: number[] = [];
  const counts: number[] = [];
  for (let j = 0; j < s.length; j++) {
    if (j > 0 && s[j] === s[j - 1]) counts[counts.length - 1]++;
    else (values.push(s[j]), counts.push(1));
  }
  return { values: Float64Array.from(values), counts: Float64Array.from(counts) };
}

export function trainRecommender(req: RecTrainRequest): RecTrainResult {
  const { table } = req;
  const kind = recommenderKind(req.model);
  const params = resolveParams(kind.name, kind.params, req.params ?? {});
  const n = table.users.length;
  if (table.items.length !== n || (table.ratings && table.ratings.length !== n)) throw new ValidationError("users, items and ratings differ in length");
  if (!table.ratings && kind.feedback === "explicit") {
    throw new ValidationError(`${kind.name} learns from explicit ratings; this data has none (rating: none)`, {
      path: "model",
      hint: "use als or two_tower for implicit feedback, or name the rating column",
    });
  }
  const isTest = new Uint8Array(n);
  for (const r of req.testRows) {
    if (r >= n) throw new ValidationError(`test row ${r} is past the last data row (${n - 1})`, { path: "--test-rows" });
    if (isTest[r]) throw new ValidationError(`test row ${r} is listed twice`, { path: "--test-rows" });
    isTest[r] = 1;
  }
  const train = new Uint32Array(n - req.testRows.length);
  for (let r = 0, t = 0; r < n; r++) if (!isTest[r]) train[t++] = r;
  if (train.length === 0) throw new TrainingError("every row is held out: nothing to train on", { hint: "hold out fewer rows" });
  const U = code(table.users, train);
  const I = code(table.items, train);
  const pick = (a: Float64Array | undefined, rows: Uint32Array) => (a ? Float64Array.from(rows, (r) => a[r]) : undefined);
  const ratings = table.ratings ? pick(table.ratings, train)! : pick(table.weights, train) ?? new Float64Array(train.length).fill(1);
  const data: RecTrainingData = {
    users: U.codes,
    items: I.codes,
    ratings,
    nUsers: U.list.length,
    nItems: I.list.length,
    seed: req.seed,
    ...(table.weights ? { weights: pick(table.weights, train) } : {}),
    ...(table.time ? { time: pick(table.time, train) } : {}),
    ...(table.userFeatures ? { userFeatures: sideFeatures(table.userFeatures, U.index, U.list.length) } : {}),
    ...(table.itemFeatures ? { itemFeatures: sideFeatures(table.itemFeatures, I.index, I.list.length) } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const fitted = kind.create(params).fit(data);
  const cpu = process.cpuUsage(c0);
  const trainSeconds = (performance.now() - t0) / 1000;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of ratings) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const byU = csr(U.codes, I.codes, U.list.length);
  const popularity = new Float64Array(I.list.length);
  for (const c of I.codes) popularity[c]++;
  const info: RecommenderInfo = {
    model: kind.name,
    params,
    columns: table.columns,
    ratingRange: [lo, hi],
    millraceVersion: MILLRACE_VERSION,
    createdAt: new Date().toISOString(),
  };
  const model = new RecommenderModel(info, U.list, I.list, fitted, byU.indptr, byU.index, popularity, table.ratings ? valueCounts(ratings) : null);
  const relevance = relevanceRule(table.ratings ? ratings : null, req.relevant);
  const test = Array.from(req.testRows).sort((a, b) => a - b);
  const { perUser: _perUser, ...evaluation } = evaluateRecommender(
    model,
    { users: test.map((r) => table.users[r]), items: test.map((r) => table.items[r]), ratings: table.ratings ? Float64Array.from(test, (r) => table.ratings![r]) : null },
    req.k ?? 10,
    relevance,
  );
  return { ...evaluation, model, params, relevance, trainRows: train.length, trainSeconds, trainCpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
