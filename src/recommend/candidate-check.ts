// Checks a recommendation candidate of millrace.yaml (model name, parameters, feedback kind) against the recommender
// registry when the project loads, so `model: svdd` or `n_factor: 8` fails with its line before any data is read.

import { ValidationError } from "../errors.js";
import type { CandidateInput, CandidateProblem } from "../learn/candidate-check.js";
import { resolveParams } from "../learn/params.js";
import { RECOMMENDERS } from "./registry.js";

export const isRecommenderName = (model: string): boolean => Object.hasOwn(RECOMMENDERS, model);

/** Every problem of a recommender candidate; `implicit` when the dataset has no rating column (rating: none). */
export function recommenderCandidateProblems(c: CandidateInput, implicit: boolean): CandidateProblem[] {
  const kind = RECOMMENDERS[c.model];
  if (!Object.hasOwn(RECOMMENDERS, c.model) || !kind) {
    return [{ path: ["model"], message: `"${c.model}" is not a recommender (dataset.task is recommendation; recommenders: ${Object.keys(RECOMMENDERS).join(", ")})` }];
  }
  const out: CandidateProblem[] = [];
  if (implicit && kind.feedback === "explicit") {
    out.push({ path: ["model"], message: `${kind.name} learns from explicit ratings and dataset.rating is none (use als, two_tower or popularity for implicit feedback)` });
  }
  for (const [k, v] of Object.entries(c.params ?? {})) {
    try {
      resolveParams(kind.name, kind.params, { [k]: v });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      out.push({ path: ["params", k], message: e.hint ? `${e.message} (${e.hint})` : e.message });
    }
  }
  if (c.search) out.push({ path: ["search"], message: "search is not available for recommenders yet: declare one candidate per setting (they are compared on the same held-out interactions)" });
  return out;
}
