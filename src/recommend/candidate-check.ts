// Checks a recommendation candidate of millrace.yaml (model name, parameters, feedback kind) against the recommender
// registry when the project loads, so `model: svdd` or `n_factor: 8` fails with its line before any data is read.

import { ValidationError } from "../errors.js";
import type { CandidateInput, CandidateProblem } from "../learn/candidate-check.js";
import { resolveParams } from "../learn/params.js";
import { fromUnit, validateSpace, type SearchSpace } from "../learn/search/space.js";
import { RECOMMENDERS, recommenderKind } from "./registry.js";

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
  if (c.search) {
    try {
      checkRecommenderSpace(kind.name, c.search.space as SearchSpace);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      out.push({ path: String(e.details.path ?? "search.space").split("."), message: e.hint ? `${e.message} (${e.hint})` : e.message });
    }
  }
  return out;
}

/** Refuses a space naming a parameter the recommender lacks, or values its schema rejects (every choice; both ends of a range). */
export function checkRecommenderSpace(model: string, space: SearchSpace, path = "search.space"): void {
  validateSpace(space);
  const kind = recommenderKind(model);
  for (const [name, d] of Object.entries(space)) {
    try {
      for (const v of d.type === "choice" ? d.values : [fromUnit(d, 0), fromUnit(d, 1)]) resolveParams(kind.name, kind.params, { [name]: v });
    } catch (e) {
      if (e instanceof ValidationError) throw new ValidationError(`${path}.${name}: ${e.message}`, { path: `${path}.${name}`, ...(e.hint ? { hint: e.hint } : {}) });
      throw e;
    }
  }
}

