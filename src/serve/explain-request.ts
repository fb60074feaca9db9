// What a request asks of explanations (`explain`, `explain_top` in /predict's query or body, in V2 `parameters`) and
// which served models can give them: one reading of the flags and one refusal per case for every route.
import { ValidationError } from "../errors.js";
import { explainingLearners } from "../learn/model-specs.js";
import type { OutputExplanation } from "../learn/explain/rows.js";
import type { Predictor } from "../records.js";
import type { ServedModel } from "./types.js";

/** Top-k when a request asks for explanations without saying how many. */
export const DEFAULT_EXPLAIN_TOP = 10;

/** The part of a predictor that explains (tree and linear models; others have no explainRecords or throw a 400). */
export interface Explainer {
  explainRecords(records: ReadonlyArray<Record<string, unknown>>, topK?: number): OutputExplanation[][];
}

/**
 * Thrown by the /predict body check on meeting `explain` or `explain_top` (validate.ts, only on its unknown-field
 * path): the /predict answer then reads the flags (answerPredict). Requests without them never pay for the check; a
 * caller that does not hand it on still answers a 400 naming the field.
 */
export class ExplainAsked extends ValidationError {
  constructor(field: string) {
    super(`${field} is not taken here`, { path: field, hint: "POST /predict takes explain and explain_top" });
  }
}

/** True for the body fields that ask for explanations. */
export const isExplainField = (k: string): boolean => k === "explain" || k === "explain_top";

/**
 * Top-k asked by `explain` / `explain_top` values as JSON gives them (body, V2 parameters), 0 for no explanations.
 * `at` prefixes the paths in errors ("" for the body, "parameters." for V2).
 */
export function explainTopOf(explain: unknown, top: unknown, at: string): number {
  if (explain !== undefined && typeof explain !== "boolean") {
    throw new ValidationError(`${at}explain must be true or false, got ${JSON.stringify(explain)}`, { path: `${at}explain`, hint: `send "explain": true` });
  }
  if (top !== undefined && (typeof top !== "number" || !Number.isInteger(top) || top < 1)) {
    throw new ValidationError(`${at}explain_top must be a whole number >= 1, got ${JSON.stringify(top)}`, { path: `${at}explain_top`, hint: `the number of largest contributions per record (default ${DEFAULT_EXPLAIN_TOP})` });
  }
  return explain === true ? ((top as number | undefined) ?? DEFAULT_EXPLAIN_TOP) : 0;
}

/**
 * A /predict-shaped body split into the rest (what the records check reads) and the top-k its `explain` /
 * `explain_top` ask (`queryTop` when it has neither, 0 for none): the one reading of /predict (answerExplained) and
 * of the dashboard's predict route.
 */
export function splitExplainBody(body: unknown, queryTop = 0): { rest: unknown; top: number } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { rest: body, top: queryTop };
  const { explain, explain_top, ...rest } = body as Record<string, unknown>;
  return { rest, top: explain !== undefined || explain_top !== undefined ? explainTopOf(explain, explain_top, "") : queryTop };
}

/** Top-k asked by the query form (`?explain=true&explain_top=K`), 0 for none. */
export function explainTopOfQuery(flag: string | undefined, top: string | undefined): number {
  // explain_top is checked whenever it is given, as the body form checks it (explain=false&explain_top=x is a 400).
  const k = top === undefined ? DEFAULT_EXPLAIN_TOP : Number(top);
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`explain_top=${top}: a whole number >= 1`, { path: "explain_top" });
  if (flag === undefined || flag === "false") return 0;
  if (flag !== "true") throw new ValidationError(`explain=${flag}: use explain=true`, { path: "explain" });
  return k;
}

const canExplain = (p: object): p is Explainer => typeof (p as Partial<Explainer>).explainRecords === "function";

/** The served model's explainer, or the 400 naming `explain` (feature-service models, models that cannot explain). */
export function explainerOf(served: ServedModel): Explainer {
  if (served.features) throw new ValidationError("explain is not available for a model that looks up online features", { path: "explain", hint: "ask without explain" });
  return explainerOfPredictor(served.predictor);
}

/** A predictor's explainer, or the 400 naming `explain` (a learner that cannot explain may also throw it on use). */
export function explainerOfPredictor(p: Predictor): Explainer {
  if (!canExplain(p)) throw new ValidationError("this model cannot explain its predictions", { path: "explain", hint: explainingLearners() });
  return p;
}
