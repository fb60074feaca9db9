// The fit options a candidate's params may carry besides the learner's own (strict categories, target encoding,
// interactions): split off and checked without importing any learner (millrace.yaml's load-time check uses this).
import { ValidationError } from "../errors.js";
import type { Params } from "./params.js";
import type { StrictMode } from "./signature.js";

/** Options of a fit besides the learner's own parameters (read from the candidate's params). */
export interface FitOptions {
  strict: StrictMode;
  /** Text columns with at least this many categories are target-encoded (0 = off). */
  targetEncoding: number;
  interactions: boolean;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = { strict: "auto", targetEncoding: 0, interactions: false };

/** Splits a candidate's params into fit options and the learner's parameters (checked by the learner). */
export function splitParams(req: { candidate: { params?: Record<string, unknown> }; strictCategories?: StrictMode }): { options: FitOptions; learnerParams: Params } {
  const { strict_categories, target_encoding, interactions, ...learnerParams } = req.candidate.params ?? {};
  const strict = (strict_categories ?? req.strictCategories ?? "auto") as StrictMode;
  if (strict !== true && strict !== false && strict !== "auto") {
    throw new ValidationError(`strict_categories must be true, false or "auto", got ${JSON.stringify(strict)}`, {
      path: "params.strict_categories",
      hint: '"auto" makes text inputs with at most 50 categories strict',
    });
  }
  const te = target_encoding === undefined || target_encoding === false ? 0 : target_encoding === true ? 20 : target_encoding;
  if (typeof te !== "number" || !Number.isInteger(te) || te < 0) {
    throw new ValidationError(`target_encoding must be true, false or a minimum number of categories, got ${JSON.stringify(target_encoding)}`, {
      path: "params.target_encoding",
      hint: "true encodes text columns with 20 or more categories",
    });
  }
  if (interactions !== undefined && typeof interactions !== "boolean") {
    throw new ValidationError(`interactions must be true or false, got ${JSON.stringify(interactions)}`, { path: "params.interactions" });
  }
  return { options: { strict, targetEncoding: te, interactions: interactions === true }, learnerParams: learnerParams as Params };
}

/** The fit options as run params (so a run records them). */
export function fitOptionParams(o: FitOptions): Record<string, unknown> {
  return { strict_categories: o.strict, target_encoding: o.targetEncoding, interactions: o.interactions };
}
