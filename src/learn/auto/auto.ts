// `auto`: tries a small portfolio of learners by cross-validation on the rows it is given (the training rows: test
// rows never reach fit), within a time budget, keeps the best by CV and refits it on every row. The fitted model is
// the winner's, plus the record of every candidate tried.

import { AUTO_PARAMS } from "../param-schemas.js";
import { ValidationError } from "../../errors.js";
import { applyMatrixPrep } from "../../features/matrix-prep.js";
import { takeRows, type FeatureMatrix } from "../../features/matrix.js";
import type { Explanation } from "../explain/tree-shap.js";
import type { Task } from "../../records.js";
import { fitMember, memberState, subsetData, predictMember, restoreMember, type FittedMember, type KindLookup, type MemberState } from "../ensemble/members.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { metricSign } from "../metric-registry.js";
import { ParamHolder } from "../params.js";
import { kFold, stratifiedKFold, type Fold } from "../split.js";
import { taskMetrics } from "../task-metrics.js";
import { portfolio } from "./portfolio.js";

/** One candidate as tried: its CV score (mean over folds) or why it was not finished. */
export interface AutoCandidate {
  label: string;
  model: string;
  params: Record<string, unknown>;
  metric: string;
  cvMean: number | null;
  cvStd: number | null;
  seconds: number;
  status: "scored" | "skipped: budget" | "failed";
  error?: string;
}

export interface AutoSelection {
  chosen: string;
  chosenModel: string;
  metric: string;
  budgetSeconds: number;
  candidates: AutoCandidate[];
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
    const unknown = wanted.filter((w) => !portfolioAll.some((e) => e.label === w));
    if (unknown.length) {
      throw new ValidationError(`auto: no candidate named ${unknown.join(", ")} for ${task}`, { path: "params.candidates", hint: `candidates: ${portfolioAll.map((e) => e.label).join(", ")}` });
    }
    const entries = portfolioAll.filter((e) => wanted.length === 0 || wanted.includes(e.label));
    const tried: AutoCandidate[] = [];
    // The refit on all rows costs about a fold's fit scaled by k/(k-1) (and the fit grows faster than linearly with
    // rows for some learners): 1.5x that is kept in reserve for the best so far. A candidate's first fold is guessed
    // to cost as much as the quickest fold seen; after it, its own pace decides whether its remaining folds fit.
    let reserve = 0;
    let quickestFold = Infinity;
    const grow = (k * 1.5) / (k - 1);
    for (const [i, e] of entries.entries()) {
      const c: AutoCandidate = { label: e.label, model: e.model, params: e.params, metric, cvMean: null, cvStd: null, seconds: 0, status: "scored" };
      tried.push(c);
      const s0 = performance.now();
      try {
        const scores: number[] = [];
        for (const [j, p] of parts.entries()) {
          const perFold = j > 0 ? (performance.now() - s0) / 1000 / j : Number.isFinite(quickestFold) ? quickestFold : 0;
          // The first candidate always runs: something must be chosen.
          if (tried.length > 1 && elapsed() + perFold * (parts.length - j) + Math.max(reserve, perFold * grow) > budget) throw new BudgetSpent();
          const m = await fitMember(this.lookup, e.model, e.params, p.train);
          const out = predictMember(m, p.test);
          scores.push(taskMetrics(task, p.y, out, Math.max(nClasses, 1))[metric] ?? NaN);
        }
        const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
        c.cvMean = mean;
        c.cvStd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
        if (!Number.isFinite(mean)) (c.status = "failed"), (c.error = `${metric} undefined on a fold`);
        c.seconds = (performance.now() - s0) / 1000;
        quickestFold = Math.min(quickestFold, c.seconds / parts.length);
        if (c.status === "scored" && best(tried, sign) === c) reserve = (c.seconds / parts.length) * grow;
      } catch (err) {
        c.seconds = (performance.now() - s0) / 1000;
        if (err instanceof BudgetSpent) c.status = "skipped: budget";
        else (c.status = "failed"), (c.error = err instanceof Error ? err.message : String(err));
      }
      data.onProgress?.(i + 1, entries.length + 1);
    }
    const winner = best(tried, sign);
    if (!winner) throw new Error(`auto: no candidate could be scored (${tried.map((c) => `${c.label}: ${c.error ?? c.status}`).join("; ")})`);
    const fitted = await fitMember(this.lookup, winner.model, winner.params, data);
    data.onProgress?.(entries.length + 1, entries.length + 1);
    const selection: AutoSelection = { chosen: winner.label, chosenModel: winner.model, metric, budgetSeconds: budget, candidates: tried };
    return new FittedAuto(fitted, selection);
  }
}

class BudgetSpent extends Error {}

function best(tried: AutoCandidate[], sign: 1 | -1): AutoCandidate | undefined {
  let b: AutoCandidate | undefined;
  for (const c of tried) if (c.status === "scored" && c.cvMean !== null && (!b || sign * c.cvMean > sign * b.cvMean!)) b = c;
  return b;
}

export class FittedAuto implements FittedEstimator {
  readonly name = "auto";

  constructor(
    readonly chosen: FittedMember,
    readonly selection: AutoSelection,
  ) {}

  static restore(lookup: KindLookup, s: { chosen: MemberState; selection: AutoSelection }): FittedAuto {
    return new FittedAuto(restoreMember(lookup, s.chosen), s.selection);
  }

  predict(X: FeatureMatrix): Float64Array {
    return predictMember(this.chosen, X);
  }

  state(): Record<string, unknown> {
    return { chosen: memberState(this.chosen), selection: this.selection };
  }

  explain(X: FeatureMatrix): Explanation {
    const { fitted, prep } = this.chosen;
    if (!fitted.explain) throw new ValidationError(`auto chose ${this.selection.chosen}, which cannot explain its predictions`);
    return fitted.explain(prep ? applyMatrixPrep(prep, X) : X);
  }

  explainNanosPerRow(): number {
    return this.chosen.fitted.explainNanosPerRow?.() ?? 0;
  }

  importance(kind?: string): Record<string, number> {
    return this.chosen.fitted.importance?.(kind) ?? {};
  }
}
