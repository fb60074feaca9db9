// Serving a model trained on a feature service: a request carries only entity keys (and request-time fields); the
// binding looks up the online features and computes the on-demand ones, then the model's own signature validates
// them and the model scores. The answer says which feature values and timestamps were used (return_features) and
// which were stale. The feature store supplies the binding; this file knows only its contract.
import { NotFoundError, recordFieldOf, ValidationError } from "../errors.js";
import type { Predictor } from "../records.js";
import { answersJson, idsJson } from "./answer-json.js";
import { cachedProvenanceHeaders, cachedProvenanceJson } from "./provenance.js";
import { checkRanges, noModel, scoreRoute, type Answer, type PredictCore } from "./predict.js";
import type { RangeFlag } from "./ranges.js";
import { logAnswer, type Scored } from "./score.js";
import type { EnrichedRecords, FeatureBinding, Route, ServedModel } from "./types.js";
import { validatorFor } from "./validate.js";
import { explainerOf, explainTopOf } from "./explain-request.js";

export type { EnrichedRecords, FeatureBinding, StaleFeature } from "./types.js";

/** The served model of a feature-service model: its predictor declares the request fields; `features` does the rest. */
export function servedWithFeatures(served: ServedModel, binding: FeatureBinding): ServedModel {
  const predictor: Predictor = {
    signature: binding.requestSignature,
    predictRecords: () => {
      // Both routes look features up before scoring (scoreWithFeatures); reaching this is a route that forgot to.
      throw new ValidationError(`model ${served.provenance.model} looks up features from service ${binding.service}: score it with POST /predict or V2 infer`, {
        path: "records", hint: `send {"records":[{${binding.joinKeys.map((k) => `"${k}": ...`).join(", ")}}]} to /predict`,
      });
    },
  };
  return { ...served, predictor, features: { binding, scorer: { ...served, predictor: binding.model } } };
}

/**
 * The smallest request the served model answers, for a start-up hint: for a feature-service model its entity keys
 * (an entity the online store holds, else "<key>") and request fields (valued from the model's input example when it
 * has them); for any other model the input example as it is.
 */
export async function requestExample(served: ServedModel, inputExample: Record<string, unknown> | null): Promise<Record<string, unknown> | null> {
  if (!served.features) return inputExample;
  const { binding } = served.features;
  const keys = (await binding.exampleKeys?.().catch(() => null)) ?? null;
  const example: Record<string, unknown> = {};
  for (const f of binding.requestSignature.inputs) {
    example[f.name] = binding.joinKeys.includes(f.name) ? (keys?.[f.name] ?? `<${f.name}>`) : (inputExample?.[f.name] ?? null);
  }
  return example;
}

/** Entity keys written as numbers are read as their decimal text (keys are identifiers, matched as text). */
function keysAsText(records: unknown, joinKeys: string[]): unknown {
  if (!Array.isArray(records)) return records;
  return records.map((r) => {
    if (typeof r !== "object" || r === null || Array.isArray(r)) return r;
    const o = r as Record<string, unknown>;
    if (!joinKeys.some((k) => typeof o[k] === "number")) return o;
    const copy = { ...o };
    for (const k of joinKeys) if (typeof copy[k] === "number") copy[k] = String(copy[k]);
    return copy;
  });
}

/** What scoring a feature-service model's request gave: the records the model saw, its answers, the lookup, the flags. */
export interface ScoredWithFeatures {
  records: Record<string, unknown>[];
  scored: Scored;
  found: EnrichedRecords;
  flags: RangeFlag[] | null;
}

/**
 * Validates request records (entity keys, request-time fields) against the request signature, looks the features up,
 * validates them against the model's signature, scores and logs: /predict and V2 infer both answer from this.
 */
export async function scoreWithFeatures(core: PredictCore, route: Route, raw: unknown, t0: number): Promise<ScoredWithFeatures> {
  const served = route.served;
  if (!served?.features) throw noModel();
  const { binding, scorer } = served.features;
  const request = validatorFor(binding.requestSignature, core.vopts).parseRecords(keysAsText(raw, binding.joinKeys), "records");
  let found: EnrichedRecords;
  try {
    found = await binding.enrich(request);
  } catch (e) {
    throw (await keyTypeError(e, raw, binding)) ?? e;
  }
  // The looked-up values meet the model's own signature (types, nulls, categories) as a request's would.
  const records = validatorFor(binding.model.signature, { ...core.vopts, extraFields: "ignore" }).parseRecords(found.records, "features");
  const validator = validatorFor(binding.model.signature, core.vopts);
  const flags = validator.ranges ? checkRanges(core, scorer, validator.ranges(records, "features")) : null;
  const scored = scoreRoute(core, { ...route, shadow: null }, scorer, records, t0);
  // The log keeps the features the model saw (not the request's text), so drift is measured on them.
  logAnswer(core.sink, served, route.role, records, scored, performance.now() - t0);
  return { records, scored, found, flags };
}

/**
 * A key not found that the client sent as a number, where the online store's keys are not numbers (e.g. "A00042"), is
 * a type mistake: a 400 naming the type, not a 404. Null for any other error (then the 404 stands). Error path only.
 */
async function keyTypeError(e: unknown, raw: unknown, binding: FeatureBinding): Promise<ValidationError | null> {
  const at = e instanceof NotFoundError && Array.isArray(raw) ? recordFieldOf(e.details.path) : null;
  const rec = at ? (raw as unknown[])[at.row] : undefined;
  if (!at || rec === null || typeof rec !== "object") return null;
  const key = binding.joinKeys.find((k) => typeof (rec as Record<string, unknown>)[k] === "number");
  if (key === undefined) return null;
  const example = (await binding.exampleKeys?.().catch(() => null))?.[key];
  if (example === undefined || /^-?\d+(\.\d+)?$/.test(example)) return null; // numeric keys: the number may be right
  const where = `records[${at.row}].${key}`;
  return new ValidationError(`${where} must be a string, got number ${String((rec as Record<string, unknown>)[key])}`, {
    path: where,
    hint: `${key} is a text key, e.g. "${key}": ${JSON.stringify(example)}`,
  });
}

/** POST /predict for a model served with features. */
export async function answerWithFeatures(core: PredictCore, route: Route, body: unknown, t0: number): Promise<Answer> {
  const served = route.served;
  if (!served?.features) throw noModel();
  const { binding } = served.features;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("the body must be a JSON object", { path: "body", hint: `send {"records":[{${binding.joinKeys.map((k) => `"${k}": ...`).join(", ")}}], "return_features": true}` });
  }
  const { records: raw, return_features: ret, explain, explain_top, ...rest } = body as Record<string, unknown>;
  if (ret !== undefined && typeof ret !== "boolean") throw new ValidationError("return_features must be true or false", { path: "return_features" });
  if (explainTopOf(explain, explain_top, "") > 0) explainerOf(served); // a 400 naming explain: no explanations with looked-up features
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) throw new ValidationError(`unknown field "${unknownKey}" in the body`, { path: unknownKey, hint: "the body takes records and return_features" });
  const { scored, found, flags } = await scoreWithFeatures(core, route, raw, t0);
  const answers = `"predictions":${answersJson(scored.outputs)}`;
  const ids = `"ids":${idsJson(scored.ids)}`;
  const stale = found.stale.length ? `,"stale":${JSON.stringify(found.stale)}` : "";
  const flagged = flags ? `,"flags":${JSON.stringify(flags.slice(0, 100))},"flagged":${flags.length}` : "";
  const features = ret === true
    ? `,"features":${JSON.stringify(found.records.map((r) => Object.fromEntries(binding.featureNames.map((f) => [f, r[f] ?? null]))))},"feature_timestamps":${JSON.stringify(found.timestamps)}`
    : "";
  const text = `{${answers},"provenance":${cachedProvenanceJson(served.provenance)},"feature_service":${JSON.stringify(binding.service)},${ids}${features}${stale}${flagged}}`;
  return { text, headers: cachedProvenanceHeaders(served.provenance) };
}
