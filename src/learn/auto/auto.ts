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
import { logProbs, softmaxRows } from "./blend.js";
import { BLEND, bestOnShared, meanStd, sayComparison, sharedParts, tryBlend, type HeldOut } from "./compare.js";
import { portfolio, type PortfolioEntry } from "./portfolio.js";
import type { AutoCandidate, AutoSelection, Refit } from "./selection.js";

export type { AutoCandidate, AutoSelection, Refit } from "./selection.js";

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

  /**
   * Fits candidate `e`'s CV parts after the last one in `h`, appending their held-out predictions and scores, while
   * `canStart()` says a part fits in the budget (`stop`: stop a stoppable learner mid-fit). Ends at the first part that
   * is stopped, fails or scores undefined (that part is left out). Returns the last part's model (null when none was
   * fitted) and why it ended early, if it failed.
   */
  private async completeParts(
    e: PortfolioEntry, h: HeldOut, parts: { train: TrainingData; test: FeatureMatrix; y: Float64Array }[], scorePart: (y: Float64Array, out: Float64Array) => number, canStart: () => boolean, stop: () => boolean,
  ): Promise<{ last: FittedMember | null; failed?: string }> {
    let last: FittedMember | null = null;
    for (let j = h.scores.length; j < parts.length && canStart(); j++) {
      let m: FittedMember;
      try {
        m = await fitCandidate(this.lookup, e, parts[j].train, e.stoppable ? stop : null);
      } catch (err) {
        // Stopped by the budget, or failed: it keeps the parts it has.
        if (err instanceof BudgetSpent) break;
        return { last, failed: `part ${j + 1} failed: ${err instanceof Error ? err.message : String(err)}` };
      }
      const out = predictMember(m, parts[j].test);
      const score = scorePart(parts[j].y, out);
      if (!Number.isFinite(score)) return { last, failed: `part ${j + 1}'s score is undefined` };
      h.outs.push(out), h.scores.push(score), (last = m);
    }
    return { last };
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
    // Each scored candidate's predictions and score on the held-out rows of each part it fitted, for comparisons and
    // the blend.
    const held = new Map<AutoCandidate, HeldOut>();
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
    const scorePart = (yTrue: Float64Array, out: Float64Array) => taskMetrics(task, yTrue, out, Math.max(nClasses, 1))[metric] ?? NaN;
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
          scores.push(scorePart(p.y, out));
        }
        setScores(c, scores, parts.length);
        if (!Number.isFinite(c.cvMean)) (c.status = "failed"), (c.error = `${metric} undefined on a fold`);
        c.seconds = (performance.now() - s0) / 1000;
        if (c.status === "scored") held.set(c, { outs, scores }), lastPart.set(c, model!);
        if (c.status === "scored" && bestOnShared(held, sign) === c) reserve = perPart(c) * grow;
      } catch (err) {
        c.seconds = (performance.now() - s0) / 1000;
        if (err instanceof BudgetSpent) (c.status = "skipped: budget"), (c.reason = err.message);
        else (c.status = "failed"), (c.error = err instanceof Error ? err.message : String(err));
      }
      // A stopped or finished fit's time per fold is a lower bound on its pace; linear models say little about trees.
      if (e.cost >= 0.5 && started > 0) pace = Math.max(pace, c.seconds / started / e.cost);
      data.onProgress?.(i + 1, entries.length + 1);
    }
    // The first candidate's parts its CV skipped, fitted now if the time the others left allows: then every candidate
    // is compared on every part. Else they are compared on the parts all have (sayComparison).
    const first = tried[0];
    if (first && held.has(first) && held.get(first)!.scores.length < parts.length) {
      const h = held.get(first)!;
      const had = h.scores.length;
      const c0 = performance.now();
      // A part is started when its expected time (the candidate's pace so far) and the refit reserve are left; a
      // stoppable learner is stopped when only the reserve is.
      const firstPace = () => (first.seconds + (performance.now() - c0) / 1000) / h.scores.length;
      const { last: model, failed } = await this.completeParts(entries[0], h, parts, scorePart, () => elapsed() + firstPace() + reserve <= budget, () => elapsed() + reserve > budget);
      first.seconds += (performance.now() - c0) / 1000;
      if (failed) first.reason += `; fitting its other parts later: ${failed}`;
      if (model) {
        lastPart.set(first, model);
        setScores(first, h.scores, parts.length);
        const fitted = h.scores.length === had + 1 ? `part ${had + 1}` : `parts ${had + 1}–${h.scores.length}`;
        first.reason += `; ${fitted} fitted after the other candidates, in time the budget left`;
      }
    }
    const winner = bestOnShared(held, sign);
    const comparison = sayComparison(held, parts.length);
    if (!winner) throw new Error(`auto: no candidate could be scored (${tried.map((c) => `${c.label}: ${c.error ?? c.status}`).join("; ")})`);
    let chosen: { c: AutoCandidate; weight: number }[] = [{ c: winner, weight: 1 }];
    if (wanted.length === 0 || wanted.includes(BLEND)) {
      // A classifier blend mixes margins and explains as the sum of its members' explanations: only learners whose
      // explanation is a margin enter it (the forests still compete alone).
      const margin = new Set(entries.filter((e) => e.explainsMargin).map((e) => e.label));
      // Mixed and scored on the parts every candidate has held-out predictions for, and chosen only if it beats the
      // winner there (a forest outside a classifier's pool included).
      const pool = [...held.keys()].filter((c) => task === "regression" || margin.has(c.label));
      const shared = sharedParts(held);
      const bar = meanStd(held.get(winner)!.scores.slice(0, shared)).mean;
      const blend = tryBlend({ pool, held, parts, shared, bar, task, metric, sign, nClasses, partSeconds: perPart, grow, left: budget - elapsed() });
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
    const selection: AutoSelection = { chosen: label, chosenModel: chosen.length > 1 ? BLEND : winner.model, metric, budgetSeconds: budget, candidates: tried, refitOnAllRows: refit, refit: how, refitReason, ...comparison };
    return new FittedAuto(fittedMembers, chosen.map((m) => m.weight), selection, "margin");
  }
}

class BudgetSpent extends Error {}

/** A candidate's CV mean and std over the parts it was scored on, and how many when fewer than all. */
function setScores(c: AutoCandidate, scores: number[], nParts: number): void {
  const { mean, std } = meanStd(scores);
  (c.cvMean = mean), (c.cvStd = std);
  if (scores.length < nParts) c.cvParts = scores.length;
  else delete c.cvParts;
}

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
