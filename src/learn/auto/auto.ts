// `auto`: tries a small portfolio of learners by cross-validation on the rows it is given (the training rows: test
// rows never reach fit), within a time budget, keeps the best by CV and refits it on every row (when the budget leaves
// no time, keeps the model of its last CV part and says so: `refit`, `refitReason`). The fitted model is the winner's,
// plus the record of every candidate tried (skipped ones with their `reason`).

import { AUTO_PARAMS } from "../param-schemas.js";
import { ValidationError } from "../../errors.js";
import { applyMatrixPrep, fitMatrixPrep } from "../../features/matrix-prep.js";
import { takeRows, type FeatureMatrix } from "../../features/matrix.js";
import type { Explanation } from "../explain/tree-shap.js";
import type { Task } from "../../records.js";
import { fitMember, memberState, subsetData, predictMember, restoreMember, type FittedMember, type KindLookup, type MemberState } from "../ensemble/members.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { metricSign } from "../metric-registry.js";
import { ParamHolder } from "../params.js";
import { kFold, stratifiedKFold, type Fold } from "../split.js";
import { taskMetrics } from "../task-metrics.js";
import { logProbs, selectBlend, softmaxRows } from "./blend.js";
import { portfolio, type PortfolioEntry } from "./portfolio.js";

/** One candidate as tried: its CV score (mean over folds) or why it was not finished. */
export interface AutoCandidate {
  label: string;
  model: string;
  params: Record<string, unknown>;
  metric: string;
  cvMean: number | null;
  cvStd: number | null;
  seconds: number;
  /** "not better": the blend, when no mix beat the best single candidate in CV (or fewer than two were scored). */
  status: "scored" | "skipped: budget" | "not better" | "failed";
  error?: string;
  /** Why it was skipped or stopped (status "skipped: budget"), or why its CV ended early (cvParts). */
  reason?: string;
  /**
   * The CV parts its score is the mean of, when fewer than the others': the first candidate always gets one part;
   * the budget can end its CV after any part.
   */
  cvParts?: number;
  /** On the chosen candidate (a blend: the blend and each member): how the returned model was fitted, and why. */
  refit?: Refit;
  refitReason?: string;
}

/** "all_rows": refit on every train row; "last_cv_part": the budget left no time, the model of the last CV part is kept. */
export type Refit = "all_rows" | "last_cv_part";

export interface AutoSelection {
  chosen: string;
  chosenModel: string;
  metric: string;
  budgetSeconds: number;
  candidates: AutoCandidate[];
  /**
   * False when the budget left no time to refit the chosen learner on every train row: the model is then the one fitted
   * on the last CV part's train rows (absent in models saved before this field).
   */
  refitOnAllRows?: boolean;
  /** The same as a word, with the reason (absent in models saved before it). */
  refit?: Refit;
  refitReason?: string;
}

const taskOf = (nClasses: number): Task => (nClasses === 0 ? "regression" : nClasses === 2 ? "binary" : "multiclass");

export class AutoModel extends ParamHolder<AutoModel> {
  constructor(
    params: Record<string, unknown>,
    private readonly lookup: KindLookup,
  ) {
    super("auto", AUTO_PARAMS, params);
  }

  clone(): AutoModel {
    return new AutoModel(this.getParams(), this.lookup);
  }

  async fit(data: TrainingData): Promise<FittedAuto> {
    const t0 = performance.now();
    const budget = this.num("time_budget_s");
    const elapsed = () => (performance.now() - t0) / 1000;
    const { X, y, nClasses } = data;
    const n = X.nRows;
    const task = taskOf(nClasses);
    const metric = task === "regression" ? "rmse" : task === "binary" ? "roc_auc" : "log_loss";
    const sign = metricSign(metric);
    const k = Math.min(Math.max(2, this.num("cv") || (n < 20_000 ? 5 : 3)), n);
    const rowsAll = Uint32Array.from({ length: n }, (_, i) => i);
    const folds: Fold[] = nClasses > 0 ? stratifiedKFold(rowsAll, Int32Array.from(y), k, data.seed) : kFold(rowsAll, k, data.seed);
    // From 50k rows one held-out fold scores a candidate (a third of the cost; the estimate is steady at that size).
    const parts = (n >= 50_000 ? folds.slice(0, 1) : folds).map((f) => ({ train: subsetData(data, f.train), test: takeRows(X, f.test), y: Float64Array.from(f.test, (r) => y[r]) }));
    const wanted = (this.params.candidates as string).split(",").map((s) => s.trim()).filter(Boolean);
    const portfolioAll = portfolio(task, n);
    const unknown = wanted.filter((w) => w !== BLEND && !portfolioAll.some((e) => e.label === w));
    if (unknown.length) {
      throw new ValidationError(`auto: no candidate named ${unknown.join(", ")} for ${task}`, { path: "params.candidates", hint: `candidates: ${[...portfolioAll.map((e) => e.label), BLEND].join(", ")}` });
    }
    const entries = portfolioAll.filter((e) => wanted.length === 0 || wanted.includes(e.label));
    const tried: AutoCandidate[] = [];
    // Each scored candidate's predictions on every part's held-out rows, for the blend.
    const held = new Map<AutoCandidate, Float64Array[]>();
    const lastPart = new Map<AutoCandidate, FittedMember>();
    // The refit on all rows costs about a fold's fit scaled by k/(k-1) (and the fit grows faster than linearly with
    // rows for some learners): 1.5x that is kept in reserve for the best so far when a candidate is started. A
    // candidate's first fold is guessed from its portfolio cost times the slowest pace (seconds per fold per cost unit)
    // seen so far; after it, its own pace decides whether its remaining folds fit. A stoppable learner (GBDT, linear)
    // is stopped between rounds when only the reserve is left: a guess that was too low costs seconds, not the budget.
    // Each candidate's model of its last CV part is kept: when the budget leaves no time to refit the winner, that
    // model is the result, and `refit` says so (shuttle at load 15: a 24 s multiclass logistic regression's reserve
    // stopped every GBDT, which wins there).
    let reserve = 0;
    let pace = 0;
    // A scored candidate's seconds per CV part it fitted.
    const perPart = (c: AutoCandidate) => c.seconds / (c.cvParts ?? parts.length);
    const grow = (k * 1.5) / (k - 1);
    for (const [i, e] of entries.entries()) {
      const c: AutoCandidate = { label: e.label, model: e.model, params: e.params, metric, cvMean: null, cvStd: null, seconds: 0, status: "scored" };
      tried.push(c);
      const s0 = performance.now();
      let started = 0;
      // The first candidate always fits its first CV part unstopped, and is scored on the parts it finished when the
      // budget ends its CV early: something must be chosen. Linear models come first: cheap (O(non-zeros) a step).
      const first = tried.length === 1;
      try {
        const scores: number[] = [];
        const outs: Float64Array[] = [];
        let model: FittedMember | undefined;
        for (const [j, p] of parts.entries()) {
          const perFold = j > 0 ? (performance.now() - s0) / 1000 / j : e.cost * pace;
          const need = perFold * (parts.length - j) + Math.max(reserve, perFold * grow);
          if (!(first && j === 0) && elapsed() + need > budget) {
            const why = `${parts.length - j} CV part${parts.length - j === 1 ? "" : "s"} and a refit expected to take ${secs(need)}, ${secs(Math.max(0, budget - elapsed()))} of the ${secs(budget)} budget left`;
            if (first) {
              c.reason = `CV ended after ${j} of ${parts.length} parts: ${why}`;
              break;
            }
            throw new BudgetSpent(why);
          }
          started = j + 1;
          // Stopped when it would eat the refit time kept for the best so far (the first candidate: for itself).
          const keep = first ? perFold * grow : reserve;
          const stop = (first && j === 0) || !e.stoppable ? null : () => elapsed() + keep > budget;
          let m: FittedMember;
          try {
            m = model = await fitCandidate(this.lookup, e, p.train, stop);
          } catch (err) {
            if (!(first && err instanceof BudgetSpent)) throw err;
            c.reason = `CV ended after ${j} of ${parts.length} parts: ${err.message}`;
            break;
          }
          const out = predictMember(m, p.test);
          outs.push(out);
          scores.push(taskMetrics(task, p.y, out, Math.max(nClasses, 1))[metric] ?? NaN);
        }
        if (scores.length < parts.length) c.cvParts = scores.length;
        const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
        c.cvMean = mean;
        c.cvStd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
        if (!Number.isFinite(mean)) (c.status = "failed"), (c.error = `${metric} undefined on a fold`);
        c.seconds = (performance.now() - s0) / 1000;
        if (c.status === "scored") held.set(c, outs), lastPart.set(c, model!);
        if (c.status === "scored" && best(tried, sign) === c) reserve = perPart(c) * grow;
      } catch (err) {
        c.seconds = (performance.now() - s0) / 1000;
        if (err instanceof BudgetSpent) (c.status = "skipped: budget"), (c.reason = err.message);
        else (c.status = "failed"), (c.error = err instanceof Error ? err.message : String(err));
      }
      // A stopped or finished fit's time per fold is a lower bound on its pace; linear models say little about trees.
      if (e.cost >= 0.5 && started > 0) pace = Math.max(pace, c.seconds / started / e.cost);
      data.onProgress?.(i + 1, entries.length + 1);
    }
    const winner = best(tried, sign);
    if (!winner) throw new Error(`auto: no candidate could be scored (${tried.map((c) => `${c.label}: ${c.error ?? c.status}`).join("; ")})`);
    let chosen: { c: AutoCandidate; weight: number }[] = [{ c: winner, weight: 1 }];
    if (wanted.length === 0 || wanted.includes(BLEND)) {
      // A classifier blend mixes margins and explains as the sum of its members' explanations: only learners whose
      // explanation is a margin enter it (the forests still compete alone).
      const margin = new Set(entries.filter((e) => e.explainsMargin).map((e) => e.label));
      // Only candidates scored on every part can be mixed part by part.
      const pool = [...held.keys()].filter((c) => (task === "regression" || margin.has(c.label)) && held.get(c)!.length === parts.length);
      const blend = tryBlend(pool, held, parts, task, metric, sign, nClasses, grow, budget - elapsed());
      tried.push(blend.candidate);
      if (blend.members) chosen = blend.members;
    }
    // The expected refit (a part's fit scaled by k/(k-1)): the reserve kept 1.5x that, so a candidate stopped when only
    // the reserve was left still leaves time for it.
    const refitCost = chosen.reduce((a, { c }) => a + (perPart(c) * k) / (k - 1), 0);
    const spent = elapsed();
    const refit = spent + refitCost <= budget;
    const what = chosen.length > 1 ? `the blend's ${chosen.length} members` : winner.label;
    const refitReason = refit
      ? `${what} refit on all ${n.toLocaleString("en-US")} train rows`
      : `budget: ${secs(spent)} of ${secs(budget)} spent and refitting ${what} on all ${n.toLocaleString("en-US")} train rows was expected to take ${secs(refitCost)}; kept the model fitted on the last CV part's ${lastPartRows(parts, chosen[0].c).toLocaleString("en-US")} rows`;
    const fittedMembers: FittedMember[] = [];
    for (const { c } of chosen) fittedMembers.push(refit ? await fitMember(this.lookup, c.model, c.params, data) : lastPart.get(c)!);
    data.onProgress?.(entries.length + 1, entries.length + 1);
    const label = chosen.length > 1 ? BLEND : winner.label;
    const how: Refit = refit ? "all_rows" : "last_cv_part";
    // Shown with the candidates (train --json prints them): the chosen one, or the blend and its members.
    for (const c of [...chosen.map((m) => m.c), ...(chosen.length > 1 ? tried.filter((c) => c.label === BLEND) : [])]) (c.refit = how), (c.refitReason = refitReason);
    const selection: AutoSelection = { chosen: label, chosenModel: chosen.length > 1 ? BLEND : winner.model, metric, budgetSeconds: budget, candidates: tried, refitOnAllRows: refit, refit: how, refitReason };
    return new FittedAuto(fittedMembers, chosen.map((m) => m.weight), selection, "margin");
  }
}

/** Name of the weighted average of candidates, in `candidates` and as the chosen learner. */
const BLEND = "blend";

/**
 * The blend of the scored candidates' held-out predictions (selectBlend) as one more candidate; its members (with
 * weights) when it beats the best single candidate's CV score and refitting every member is expected to fit in
 * `left` seconds (each member's time per part x grow); else the best single candidate is refit (or kept as fitted
 * on the last part) and the blend is recorded as skipped.
 */
function tryBlend(
  scored: AutoCandidate[], held: Map<AutoCandidate, Float64Array[]>, parts: { y: Float64Array }[], task: Task, metric: string, sign: 1 | -1, nClasses: number, grow: number, left: number,
): { candidate: AutoCandidate; members: { c: AutoCandidate; weight: number }[] | null } {
  const s0 = performance.now();
  const candidate: AutoCandidate = { label: BLEND, model: BLEND, params: {}, metric, cvMean: null, cvStd: null, seconds: 0, status: "scored" };
  // Classifiers: held-out probabilities as margins (log p), each mix scored on its softmax, as FittedAuto predicts.
  const toOut = nClasses > 0 ? (o: Float64Array) => softmaxRows(Float64Array.from(o), nClasses) : (o: Float64Array) => o;
  const score = (outs: Float64Array[]) => outs.reduce((a, o, j) => a + (taskMetrics(task, parts[j].y, toOut(o), Math.max(nClasses, 1))[metric] ?? NaN), 0) / outs.length;
  const found = selectBlend(scored.map((c) => (nClasses > 0 ? held.get(c)!.map(logProbs) : held.get(c)!)), score, sign);
  const done = (status: AutoCandidate["status"], error?: string) => {
    candidate.seconds = (performance.now() - s0) / 1000;
    candidate.status = status;
    if (error) candidate.error = error;
    return { candidate, members: null };
  };
  if (!found) return done("not better");
  const members = scored.map((c, i) => ({ c, weight: found.weights[i] })).filter((m) => m.weight > 0);
  candidate.params = Object.fromEntries(members.map((m) => [m.c.label, Number(m.weight.toFixed(4))]));
  candidate.cvMean = found.score;
  const refit = members.reduce((a, m) => a + (m.c.seconds / parts.length) * grow, 0) + (performance.now() - s0) / 1000;
  if (refit > left) return done("skipped: budget");
  candidate.seconds = (performance.now() - s0) / 1000;
  return { candidate, members };
}

class BudgetSpent extends Error {}

/** Seconds as said in a reason: "0.42 s". */
const secs = (s: number) => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;


/** Train rows of the last CV part the candidate fitted. */
function lastPartRows(parts: { train: TrainingData }[], c: AutoCandidate): number {
  return parts[(c.cvParts ?? parts.length) - 1].train.X.nRows;
}

/** fitMember's fit, with a stoppable learner asked between rounds (onProgress) whether the budget is spent. */
export async function fitCandidate(lookup: KindLookup, e: PortfolioEntry, data: TrainingData, stop: (() => boolean) | null): Promise<FittedMember> {
  if (!stop) return fitMember(lookup, e.model, e.params, data);
  const kind = lookup(e.model);
  const prep = kind.pipeline.scale !== "none" ? fitMatrixPrep(data.X) : null;
  const X = prep ? applyMatrixPrep(prep, data.X) : data.X;
  const onProgress = () => {
    if (stop()) throw new BudgetSpent("stopped mid-fit: the budget was spent");
  };
  const fitted = await kind.create(e.params).fit({ ...data, X, valid: undefined, onProgress });
  return { name: e.model, prep, fitted };
}

function best(tried: AutoCandidate[], sign: 1 | -1): AutoCandidate | undefined {
  let b: AutoCandidate | undefined;
  for (const c of tried) if (c.status === "scored" && c.cvMean !== null && (!b || sign * c.cvMean > sign * b.cvMean!)) b = c;
  return b;
}

export class FittedAuto implements FittedEstimator {
  readonly name = "auto";

  /**
   * `members` with their `weights` (summing to 1): one learner, or the blend's members. `space`: how a blend of
   * classifiers mixes its members' probabilities: "margin" (softmax of Σ wᵢ·log pᵢ; binary σ(Σ wᵢ·logit pᵢ)), or
   * "probability" (Σ wᵢ·pᵢ: blends saved before margins, which cannot explain). Regressors are averaged either way.
   */
  constructor(
    readonly members: FittedMember[],
    readonly weights: number[],
    readonly selection: AutoSelection,
    readonly space: "margin" | "probability" = "margin",
  ) {}

  static restore(lookup: KindLookup, s: { chosen?: MemberState; members?: MemberState[]; weights?: number[]; space?: "margin"; selection: AutoSelection }): FittedAuto {
    // Models saved before blends carry one `chosen` member; blends saved before margins carry no `space`.
    if (s.chosen) return new FittedAuto([restoreMember(lookup, s.chosen)], [1], s.selection);
    return new FittedAuto(s.members!.map((m) => restoreMember(lookup, m)), s.weights!, s.selection, s.space ?? "probability");
  }

  predict(X: FeatureMatrix): Float64Array {
    const first = predictMember(this.members[0], X);
    if (this.members.length === 1) return first;
    // More than one output per row: class probabilities.
    const k = X.nRows > 0 ? first.length / X.nRows : 1;
    const toSpace = k > 1 && this.space === "margin" ? logProbs : (p: Float64Array) => p;
    const out = toSpace(first);
    for (let i = 0; i < out.length; i++) out[i] *= this.weights[0];
    for (let m = 1; m < this.members.length; m++) {
      const p = toSpace(predictMember(this.members[m], X));
      const w = this.weights[m];
      for (let i = 0; i < out.length; i++) out[i] += w * p[i];
    }
    return k > 1 && this.space === "margin" ? softmaxRows(out, k) : out;
  }

  state(): Record<string, unknown> {
    if (this.members.length === 1) return { chosen: memberState(this.members[0]), selection: this.selection };
    return { members: this.members.map(memberState), weights: this.weights, space: this.space, selection: this.selection };
  }

  /**
   * The chosen learner's explanation; for a blend, the weighted sum of its members' (base Σ wᵢ·baseᵢ): each member's
   * adds up to its prediction (regression) or its margin (classifiers: log-odds, softmax input), so the sum adds up to
   * the blend's value or margin, whose σ / softmax is the blend's probability.
   */
  explain(X: FeatureMatrix): Explanation {
    const parts = this.members.map((m) => {
      if (!m.fitted.explain) throw new ValidationError(`auto chose ${this.selection.chosen}, whose member ${m.name} cannot explain its predictions`);
      return m.fitted.explain(m.prep ? applyMatrixPrep(m.prep, X) : X);
    });
    if (parts.length === 1) return parts[0];
    if (parts.some((p) => p.features.length !== parts[0].features.length || p.outputs !== parts[0].outputs)) throw new ValidationError(`auto chose a blend whose members explain different features`);
    const regression = parts.every((p) => p.scale === "value");
    const margins = this.space === "margin" && parts.every((p) => p.scale === parts[0].scale && (p.scale === "log-odds" || p.scale === "margin"));
    if (!regression && !margins) {
      const scales = parts.map((p, m) => `${this.members[m].name}: ${p.scale}`).join(", ");
      throw new ValidationError(`auto chose a blend whose members' explanations do not add up to its prediction (${this.space} blend; ${scales})`, { hint: "retrain: auto now blends classifiers in margin space, over learners that explain margins" });
    }
    const values = new Float64Array(parts[0].values.length);
    for (const [m, p] of parts.entries()) for (let i = 0; i < values.length; i++) values[i] += this.weights[m] * p.values[i];
    return { ...parts[0], values };
  }

  explainNanosPerRow(): number {
    return this.members.reduce((a, m) => a + (m.fitted.explainNanosPerRow?.() ?? 0), 0);
  }

  /** The chosen learner's importance; for a blend, each member's shares (its importance over its total) weighted, over the members that have one. */
  importance(kind?: string): Record<string, number> {
    if (this.members.length === 1) return this.members[0].fitted.importance?.(kind) ?? {};
    const out: Record<string, number> = {};
    let weight = 0;
    for (const [m, member] of this.members.entries()) {
      const imp = Object.entries(member.fitted.importance?.(kind) ?? {});
      const total = imp.reduce((a, [, v]) => a + Math.abs(v), 0);
      if (total > 0) weight += this.weights[m];
      for (const [f, v] of imp) if (total > 0) out[f] = (out[f] ?? 0) + (this.weights[m] * v) / total;
    }
    // Members without importance (ridge) leave it to the others.
    for (const f of Object.keys(out)) out[f] /= weight;
    return out;
  }
}
