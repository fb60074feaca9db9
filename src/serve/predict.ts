// The /predict answer, independent of the HTTP layer: route to a model, validate, score, shadow, count. Used by Hono and the node fast path.
import { answersJson, idsJson, lastAnswersWide } from "./answer-json.js";
import { NON_ASCII } from "./answer-shape.js";
import type { JsonBody } from "./body.js";
import { versionMetrics, type ServeMetrics } from "./metrics.js";
import { ModelUnavailableError } from "./http-errors.js";
import { cachedProvenanceHeaders, cachedProvenanceJson, provenanceJsonWide } from "./provenance.js";
import { MAX_FLAGS_SHOWN, rangeError, type RangeFlag } from "./ranges.js";
import { logAnswer, score, type LogTexts, type Scored } from "./score.js";
import type { OutcomeWatch } from "./slo.js";
import type { ModelSource, PredictionSink, Route, ServedModel } from "./types.js";
import { validatorFor, type ValidatorOptions } from "./validate.js";
import { learnRecordsTemplate, readTemplate, type BodyTemplate } from "./body-template.js";
import { recordBuilder } from "./v2-records.js";
import { ExplainAsked, explainerOf, splitExplainBody, type Explainer } from "./explain-request.js";

export const NO_MODEL_HINT =
  "no model version is loaded yet: promote one to the served alias (millrace models promote <name> <version>) and the server picks it up";

export function noModel(): ModelUnavailableError {
  return new ModelUnavailableError("no model is loaded", { hint: NO_MODEL_HINT });
}

export interface PredictCore {
  models: ModelSource;
  sink?: PredictionSink;
  metrics: ServeMetrics;
  vopts: ValidatorOptions;
  /** Reports failures of the shadow model (they never reach the client). */
  onShadowError: (e: unknown) => void;
  /** Every answer's outcome (model failures, latency), for error-rate and latency alerts. */
  watch?: OutcomeWatch;
  /** Refuse (400) values outside what training saw instead of flagging them in the answer. */
  strictRanges?: boolean;
}

/** The model(s) for one request: the source's routing when it has some, else its current model. */
export function routeFor(models: ModelSource, key: string | null): Route {
  if (models.route) return models.route(key);
  return { served: models.current(), role: "primary", shadow: null };
}

export interface Answer {
  text: string;
  headers: Record<string, string>;
  /** True when the writer knows the text is all ASCII: its UTF-8 length is then its length (no byte count, which
   *  flattens the text a second time before node copies it with the headers). */
  ascii?: boolean;
}

/** The layout of the last single-record body that took the full path, and bodies not matching it since it was learnt. */
let template: BodyTemplate | null = null;
let misses = 0;
const RELEARN_AFTER = 64;

/**
 * Answers a single-record body laid out as the last one the full path learnt, read straight from its bytes
 * (body-template.ts: same record, so the same checks, answer and log line); null for any other body, which the caller
 * parses and passes to answerPredict.
 */
export function answerPredictBytes(core: PredictCore, route: Route, bytes: Buffer, t0: number): Answer | null {
  const t = template;
  if (t === null || route.served === null || t.fields !== route.served.predictor.signature.inputs) return null;
  const record = readTemplate(t, bytes);
  if (record === null) {
    misses++;
    return null;
  }
  return answerBody(core, route, route.served, { records: [record] }, t0, undefined, bytes, undefined);
}

/** Scores a parsed body with the routed model and renders the JSON answer; throws typed errors for bad input. */
export function answerPredict(core: PredictCore, route: Route, body: unknown, t0: number, received?: JsonBody): Answer {
  const served = route.served;
  if (!served) throw noModel();
  const parts = received?.parts;
  let answer: Answer;
  try {
    answer = answerBody(core, route, served, body, t0, received && !parts ? received.text : undefined, received?.bytes, parts);
  } catch (e) {
    // The body check met `explain` or `explain_top` (only bodies with a field besides records get this far).
    if (e instanceof ExplainAsked) return answerExplained(core, route, body, t0, 0);
    throw e;
  }
  // Learnt after a full answer (a body that fails its checks teaches nothing); again after misses, for a new layout.
  if (received && !parts && received.bytes.byteLength < 4096 && (template === null || template.fields !== served.predictor.signature.inputs || misses >= RELEARN_AFTER)) {
    misses = 0;
    const fields = served.predictor.signature.inputs;
    template = learnRecordsTemplate(body, received.bytes, fields, (names) => recordBuilder(names, fields)) ?? template;
  }
  return answer;
}

/**
 * A /predict body with `explain` / `explain_top` (or the query form's top-k, `queryTop`; the body's fields win): the
 * usual answer plus `explanations`, per record the base value and top-k contributions (explain-request.ts).
 */
export function answerExplained(core: PredictCore, route: Route, body: unknown, t0: number, queryTop: number): Answer {
  const served = route.served;
  if (!served) throw noModel();
  const { rest, top } = splitExplainBody(body, queryTop);
  return answerBody(core, route, served, rest, t0, undefined, undefined, undefined, top > 0 ? { explainer: explainerOf(served), top } : undefined);
}

/** Validate, score, log (the request as `requestJson` or its bytes or parts) and write the answer (and explanations). */
function answerBody(
  core: PredictCore,
  route: Route,
  served: ServedModel,
  body: unknown,
  t0: number,
  requestJson: string | undefined,
  bytes: Uint8Array | undefined,
  parts: readonly string[] | undefined,
  explain?: { explainer: Explainer; top: number },
): Answer {
  // Validation first: a client's mistake (4xx) is not the model's failure and is not reported to the SLO guard.
  const validator = validatorFor(served.predictor.signature, core.vopts);
  const records = validator.parseBody(body);
  const flags = validator.ranges ? checkRanges(core, served, validator.ranges(records, "records")) : null;
  // Before scoring: a learner without explanations (knn, naive Bayes, some ensembles) is a 400, nothing scored or logged.
  const explained = explain === undefined ? "" : `,"explanations":${JSON.stringify(explain.explainer.explainRecords(records, explain.top))}`;
  const scored = scoreRoute(core, route, served, records, t0);
  // Built from pieces so the log line reuses them (string concatenation, no second JSON.stringify) without the
  // provenance, which the line carries as model and version already.
  const answersList = answersJson(scored.outputs);
  const answersWide = lastAnswersWide();
  const idsList = idsJson(scored.ids);
  const answers = `"predictions":${answersList}`;
  const ids = `"ids":${idsList}`;
  const flagged = flags ? `,"flags":${JSON.stringify(flags.length > MAX_FLAGS_SHOWN ? flags.slice(0, MAX_FLAGS_SHOWN) : flags)},"flagged":${flags.length}` : "";
  const text = `{${answers},"provenance":${cachedProvenanceJson(served.provenance)},${ids}${flagged}${explained}}`;
  // Prediction ids are hex digits and dashes: the text is ASCII unless the answers, provenance, flags or explanations are not.
  const ascii = !answersWide && !provenanceJsonWide(served.provenance) && (flags === null || !NON_ASCII.test(flagged)) && (explain === undefined || !NON_ASCII.test(explained));
  // A large response goes to the log in pieces (one flat string of 100s of KB costs a large-object allocation).
  // A body parsed in parts is logged from its parts (or its bytes): its whole text is never made.
  // One object shape for every request (a spread of two shapes cost a CloneObjectIC per request).
  const big = scored.ids.length > 100;
  const texts: LogTexts | undefined = bytes
    ? {
        requestJson,
        requestBytes: bytes,
        requestParts: parts,
        responseJson: big ? undefined : `{${answers},${ids}}`,
        responseParts: big ? ['{"predictions":', answersList, ',"ids":', idsList, "}"] : undefined,
      }
    : undefined;
  logAnswer(core.sink, served, route.role, records, scored, performance.now() - t0, texts);
  return { text, headers: cachedProvenanceHeaders(served.provenance), ascii };
}

/** Counts out-of-range values per field; under strict ranges refuses the request (a client's 4xx, before scoring). */
export function checkRanges(core: PredictCore, served: ServedModel, flags: RangeFlag[] | null): RangeFlag[] | null {
  if (!flags) return null;
  if (core.strictRanges) throw rangeError(flags, served.predictor.signature);
  const counter = core.metrics.outOfRange;
  const version = String(served.provenance.version);
  for (const f of flags) counter.labels(served.provenance.model, version, f.field, f.reason).inc();
  return flags;
}

/** Scores validated records with the routed model, observes latency, reports the outcome and starts the shadow. */
export function scoreRoute(core: PredictCore, route: Route, served: ServedModel, records: Record<string, unknown>[], t0: number): Scored {
  let ok = false;
  try {
    const scored = score(served, records, core.metrics);
    ok = true;
    if (route.shadow) runShadow(core, route.shadow, { records });
    return scored;
  } finally {
    const ms = performance.now() - t0;
    versionMetrics(core.metrics, served.provenance).latency.observe(ms / 1000);
    route.report?.(served, ok, ms);
    core.watch?.record(served.provenance.model, served.provenance.version, ok, ms);
  }
}

/** Scores the same records with the shadow model after the answer is ready; its answer is logged, never returned. */
function runShadow(core: PredictCore, shadow: ServedModel, body: unknown): void {
  setImmediate(() => {
    try {
      // The shadow may declare another signature: it takes the fields it knows from the validated records.
      const records = validatorFor(shadow.predictor.signature, { ...core.vopts, extraFields: "ignore" }).parseBody(body);
      const t0 = performance.now();
      const scored = score(shadow, records, core.metrics);
      logAnswer(core.sink, shadow, "shadow", records, scored, performance.now() - t0);
    } catch (e) {
      core.onShadowError(e);
    }
  });
}
