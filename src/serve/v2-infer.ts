// The KServe V2 infer answer, independent of the HTTP layer (the Hono route and the node fast path both call it):
// route by model name and version, tensors → records, validate, score, log, and the answer's JSON written directly.
import { NotFoundError, ValidationError } from "../errors.js";
import type { FieldSpec, PredictionOutput, Provenance } from "../records.js";
import { answersJson, idsJson } from "./answer-json.js";
import { NON_ASCII } from "./answer-shape.js";
import { checkRanges, noModel, routeFor, scoreRoute, type Answer, type PredictCore } from "./predict.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import { answerV2TopK } from "./recommend-v2.js";
import { MAX_FLAGS_SHOWN, type RangeFlag } from "./ranges.js";
import { logAnswer, type LogTexts } from "./score.js";
import type { Route, ServedModel } from "./types.js";
import { validatorFor } from "./validate.js";
import { recordBuilder } from "./v2-records.js";
import { recordsFromColumns } from "../v2-tensors.js";
import { learnTemplate, readTemplate, recordBytes, type BodyTemplate } from "./body-template.js";
import { explainerOf } from "./explain-request.js";
import { EXPLANATION_OUTPUTS, explainTopFor, explanationTensorsJson, v2ExplainAsked } from "./v2-explain.js";

const KNOWN_DATATYPES = new Set(["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"]);

/** Every model this server answers with, primary first. */
export function allServed(core: PredictCore): Array<{ served: ServedModel; role: string }> {
  if (core.models.list) return core.models.list();
  const cur = core.models.current();
  return cur ? [{ served: cur, role: "primary" }] : [];
}

/** The route for a V2 request: the normal traffic policy for a bare name, the exact version when one is named. */
export function v2Route(core: PredictCore, name: string, version: string | undefined, key: string | null): { route: Route; served: ServedModel } {
  if (version === undefined) {
    // The common case first (the routed model has this name), without listing every served model.
    const route = routeFor(core.models, key);
    if (route.served && route.served.provenance.model === name) return { route, served: route.served };
  }
  const all = allServed(core);
  if (all.length === 0) throw noModel();
  const named = all.filter((m) => m.served.provenance.model === name);
  if (named.length === 0) {
    throw new NotFoundError(`model ${name} is not served here`, { path: "model_name", hint: `served: ${[...new Set(all.map((m) => m.served.provenance.model))].join(", ")}` });
  }
  if (version === undefined) return { route: { served: named[0].served, role: "primary", shadow: null }, served: named[0].served };
  const exact = named.find((m) => String(m.served.provenance.version) === version);
  if (!exact) {
    throw new NotFoundError(`model ${name} version ${version} is not served here`, {
      path: "model_version",
      hint: `served versions: ${named.map((m) => m.served.provenance.version).join(", ")}`,
    });
  }
  return { route: { served: exact.served, role: "primary", shadow: null }, served: exact.served };
}

/** The tensor names (in request order) of the last request that passed the name checks, for a signature's fields:
 *  clients send one order, so the next request's names are compared with these instead of being checked again. */
let lastLayout: { fields: ReadonlyArray<FieldSpec>; names: string[]; build: ReturnType<typeof recordBuilder> } | null = null;

const at = (k: number): string => `inputs[${k}]`;

/** Columnar V2 input tensors → records; shape and name problems name the tensor (`inputs[2].shape`). */
export function tensorsToRecords(body: unknown, fields: ReadonlyArray<FieldSpec>): { records: Record<string, unknown>[]; names: string[]; build: ReturnType<typeof recordBuilder> } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ValidationError("body must be a JSON object", { path: "", hint: 'send {"inputs":[{"name":..,"shape":[n],"datatype":..,"data":[..]}]}' });
  const inputs = (body as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ValidationError("inputs must be a non-empty array of tensors", { path: "inputs", hint: "one tensor per model input field" });
  let rows = -1;
  const names: string[] = [];
  // While the names equal the last layout's (unique, every required field present), no set of seen names is built.
  const known = lastLayout !== null && lastLayout.fields === fields ? lastLayout.names : null;
  let same = known !== null;
  let seen: Set<string> | null = null;
  const cols: unknown[][] = [];
  for (let k = 0; k < inputs.length; k++) {
    const t: unknown = inputs[k];
    if (t === null || typeof t !== "object" || Array.isArray(t)) throw new ValidationError(`${at(k)} must be a tensor object`, { path: at(k) });
    const { name, shape, datatype, data } = t as Record<string, unknown>;
    if (typeof name !== "string" || name === "") throw new ValidationError(`${at(k)}.name must be a non-empty string`, { path: `${at(k)}.name` });
    if (same && (k >= known!.length || known![k] !== name)) {
      same = false;
      seen = new Set(names);
    }
    if (seen !== null && seen.has(name)) throw new ValidationError(`${at(k)}.name ${name} is given twice`, { path: `${at(k)}.name` });
    if (typeof datatype !== "string" || !KNOWN_DATATYPES.has(datatype)) throw new ValidationError(`${at(k)}.datatype must be a V2 datatype (FP64, INT64, BOOL, BYTES, ...)`, { path: `${at(k)}.datatype` });
    if (!Array.isArray(shape) || shape.length === 0 || shape.length > 2 || !(Number.isInteger(shape[0]) && shape[0] >= 0) || (shape.length === 2 && shape[1] !== 1)) {
      throw new ValidationError(`${at(k)}.shape must be [n] or [n, 1]`, { path: `${at(k)}.shape`, hint: "one value per record" });
    }
    const flat = Array.isArray(data) ? (data.length > 0 && Array.isArray(data[0]) ? (data as unknown[][]).flat() : data) : null;
    if (flat === null || flat.length !== shape[0]) throw new ValidationError(`${at(k)}.data must hold ${String(shape[0])} values as its shape says`, { path: `${at(k)}.data` });
    if (rows >= 0 && shape[0] !== rows) throw new ValidationError(`${at(k)} has ${String(shape[0])} rows but inputs[0] has ${rows}`, { path: `${at(k)}.shape`, hint: "every input tensor needs one value per record" });
    rows = shape[0] as number;
    names.push(name);
    if (seen !== null) seen.add(name);
    cols.push(flat);
  }
  let build: ReturnType<typeof recordBuilder>;
  if (same && names.length === known!.length) build = lastLayout!.build;
  else {
    const given = seen ?? new Set(names);
    for (const f of fields) {
      if (!f.nullable && !given.has(f.name)) throw new ValidationError(`no input tensor named ${f.name}`, { path: "inputs", hint: `the model needs: ${fields.map((x) => x.name).join(", ")}` });
    }
    build = recordBuilder(names, fields);
    lastLayout = { fields, names: names.slice(), build };
  }
  if (!build) return { records: recordsFromColumns(names, cols, rows), names, build };
  const records = new Array<Record<string, unknown>>(rows);
  for (let i = 0; i < rows; i++) records[i] = build(cols, i);
  return { records, names, build };
}

/** A number as JSON.stringify spells it inside an array (non-finite → null). */
const num = (v: number | undefined): string => (v !== undefined && v - v === 0 ? String(v) : "null");

const quoted = new Map<string, string>();
/** Labels spelt with a character outside ASCII, kept apart: looking one up marks the outputs as wide. */
const wideLabels = new Map<string, string>();
/** Whether the output tensors being written hold a character outside ASCII (a label or class name). */
let outputsWide = false;
/** A label's JSON spelling, kept for the few distinct labels (class names). */
function label(s: string | undefined): string {
  if (s === undefined) return "null";
  let q = quoted.get(s);
  if (q === undefined) {
    q = wideLabels.get(s);
    if (q !== undefined) {
      outputsWide = true;
      return q;
    }
    q = JSON.stringify(s);
    const wide = NON_ASCII.test(q);
    if (wide) outputsWide = true;
    if (quoted.size + wideLabels.size < 1024) (wide ? wideLabels : quoted).set(s, q);
  }
  return q;
}

/** `],"parameters":{"classes":[…]}}` of a class list, made once per list. */
const classesTail = new WeakMap<readonly string[], string>();
const wideTails = new WeakSet<readonly string[]>();
function tailOf(cls: readonly string[]): string {
  let t = classesTail.get(cls);
  if (t === undefined) {
    classesTail.set(cls, (t = `],"parameters":{"classes":${JSON.stringify(cls)}}}`));
    if (NON_ASCII.test(t)) wideTails.add(cls);
  }
  if (wideTails.has(cls)) outputsWide = true;
  return t;
}

/** The output tensors' JSON by name (value; or label and probabilities), in the order V2 answers list them. */
export function outputTensorsJson(outputs: PredictionOutput[], classes: string[] | undefined, task: string): Array<[string, string]> {
  const n = outputs.length;
  if (task === "regression") {
    let data = "";
    for (let i = 0; i < n; i++) data += (i ? "," : "") + num(outputs[i].value ?? undefined);
    return [["value", `{"name":"value","datatype":"FP64","shape":[${n}],"data":[${data}]}`]];
  }
  const cls = classes ?? Object.keys(outputs[0]?.probabilities ?? {});
  let labels = "";
  let probs = "";
  for (let i = 0; i < n; i++) {
    const o = outputs[i];
    labels += (i ? "," : "") + label(o.label ?? undefined);
    const p = o.probabilities;
    for (let c = 0; c < cls.length; c++) probs += (i || c ? "," : "") + num(p?.[cls[c]] ?? 0);
  }
  return [
    ["label", `{"name":"label","datatype":"BYTES","shape":[${n}],"data":[${labels}]}`],
    ["probabilities", `{"name":"probabilities","datatype":"FP64","shape":[${n},${cls.length}],"data":[${probs}${tailOf(classes ?? cls)}`],
  ];
}

/** The answer's `outputs` list: every tensor of outputTensorsJson, or those asked for in the order they come there. */
export function outputsJson(outputs: PredictionOutput[], classes: string[] | undefined, task: string, want: string[] | null): string {
  outputsWide = false;
  const tensors = outputTensorsJson(outputs, classes, task);
  if (tensors.length === 2 && want === null) return `${tensors[0][1]},${tensors[1][1]}`;
  let text = "";
  for (const [name, t] of tensors) if (want === null || want.includes(name)) text += (text ? "," : "") + t;
  return text;
}

/** `{"model_name":…,"model_version":…,"id":` and `,"parameters":{…,"prediction_ids":` of a provenance, made once. */
const heads = new WeakMap<Provenance, [string, string, boolean]>();
export function headOf(p: Provenance): [string, string, boolean] {
  let h = heads.get(p);
  if (!h) {
    const a = JSON.stringify({ model_name: p.model, model_version: String(p.version) });
    const b = JSON.stringify({ run_id: p.runId, artifact_uri: p.artifactUri, alias: p.alias, dataset_id: p.datasetId, dataset_hash: p.datasetHash });
    heads.set(p, (h = [`${a.slice(0, -1)},"id":`, `,"parameters":${b.slice(0, -1)},"prediction_ids":`, NON_ASCII.test(a + b)]));
  }
  return h;
}

const SLICE = 100;

/**
 * The log's request and response texts. The request is the body as received (`{"inputs":[…]}`: a copy of its bytes,
 * as /predict logs its body; log readers turn the tensors into records with v2-tensors.ts), which costs a memcpy where
 * JSON.stringify of the records built from the tensors was 46% of a 1,000-record answer's CPU (bench/RESULTS.md, S2b).
 * Without the bytes (a caller that has only the parsed body) the records are written as /predict's {"records":[…]}.
 */
function logTexts(bytes: Uint8Array | undefined, records: Record<string, unknown>[], outputs: PredictionOutput[], ids: string): LogTexts {
  const big = records.length > SLICE;
  const responseJson = big ? undefined : `{"predictions":${answersJson(outputs)},"ids":${ids}}`;
  const responseParts = big ? ['{"predictions":', answersJson(outputs), ',"ids":', ids, "}"] : undefined;
  if (bytes !== undefined) return { requestBytes: bytes, responseJson, responseParts };
  if (!big) return { requestJson: `{"records":${JSON.stringify(records)}}`, responseJson, responseParts };
  const requestParts = ['{"records":['];
  for (let i = 0; i < records.length; i += SLICE) {
    if (i > 0) requestParts.push(",");
    requestParts.push(JSON.stringify(records.slice(i, i + SLICE)).slice(1, -1));
  }
  requestParts.push("]}");
  return { requestParts, responseJson, responseParts };
}

/** Validation errors name the value where the client put it: records[3].tenure → inputs[tenure].data[3]. */
export function inTensors(e: unknown): unknown {
  if (e instanceof ValidationError && typeof e.details.path === "string") {
    const m = /^records\[(\d+)\]\.(.+)$/.exec(e.details.path);
    if (m) {
      const path = `inputs[${m[2]}].data[${m[1]}]`;
      return new ValidationError(e.message.replace(e.details.path, path), { ...e.details, path });
    }
    // No records: V2 has no `records` field to name; its tensors are empty.
    if (e.details.path === "records" && /is empty$/.test(e.message)) {
      return new ValidationError("inputs hold no rows (every tensor's first dimension is 0)", { ...e.details, path: "inputs", hint: "send at least one row in each input tensor" });
    }
  }
  return e;
}

/** The layout of the last single-record body that took the full path, and bodies not matching it since it was learnt. */
let template: BodyTemplate | null = null;
let misses = 0;
const RELEARN_AFTER = 64;

/**
 * Answers a single-record V2 body laid out as the last one the full path learnt, read straight from its bytes (same
 * records, so the same checks, answer and log line); null for any other body, which the caller parses and passes
 * to answerV2.
 */
export function answerV2Bytes(core: PredictCore, target: { route: Route; served: ServedModel }, bytes: Buffer, t0: number): Answer | null {
  const t = template;
  if (t === null || t.fields !== target.served.predictor.signature.inputs) return null;
  const record = readTemplate(t, bytes);
  if (record === null) {
    misses++;
    return null;
  }
  // Logged as /predict's records text spliced from the body's value bytes: under half the bytes of the tensors (the
  // log's disk writes set V2's p99 at ~37k requests/s: 1.64 vs 0.72 KB a line, RESULTS "lead, V2 tail").
  return answerRecords(core, target, [record], undefined, undefined, t0, recordBytes(t, bytes) ?? bytes, 0);
}

/**
 * Answers one V2 infer request (its target from v2Route, asked before the body is read); throws typed 400s for bad
 * tensors. `bytes` is the body as received: the prediction log copies it as the logged request.
 */
export function answerV2(core: PredictCore, target: { route: Route; served: ServedModel }, body: unknown, t0: number, bytes?: Uint8Array): Answer {
  const { served } = target;
  const asked = v2ExplainAsked(body); // unknown top-level fields and a parameters that is not an object: 400s
  if (asked > 0) explainerOf(served); // a model that cannot explain: a 400 naming explain, before any work
  const ranked = answerV2TopK(served, body, t0); // a recommender asked with only the user tensor: top-K lists
  if (ranked) return ranked;
  const fields = served.predictor.signature.inputs;
  const { records: raw, build } = tensorsToRecords(body, fields);
  const answer = answerRecords(core, target, raw, (body as { outputs?: unknown }).outputs, (body as { id?: unknown }).id, t0, bytes, asked);
  // Learnt after a full answer (a body that fails its checks teaches nothing); again after misses, for a new layout.
  if (bytes !== undefined && raw.length === 1 && build && (template === null || template.fields !== fields || misses >= RELEARN_AFTER)) {
    misses = 0;
    template = learnTemplate(body, bytes, fields, build) ?? template;
  }
  return answer;
}

/** The output tensors a request asks for by name (`outputs: [{name}]`), or null for all; an unknown name is a 400. */
export function wantedOutputs(requested: unknown, output: { classes?: string[]; task: string }): string[] | null {
  if (!Array.isArray(requested) || requested.length === 0) return null;
  const names = [...outputTensorsJson([], output.classes, output.task).map(([t]) => t), ...EXPLANATION_OUTPUTS];
  return requested.map((o: unknown, k) => {
    const n = (o as { name?: unknown } | null)?.name;
    if (typeof n !== "string" || !names.includes(n)) throw new ValidationError(`outputs[${k}].name must be one of ${names.join(", ")}`, { path: `outputs[${k}].name` });
    return n;
  });
}

/** Validate, score, log and write the answer of records built from the request's tensors (`asked`: v2ExplainAsked's). */
function answerRecords(core: PredictCore, target: { route: Route; served: ServedModel }, raw: Record<string, unknown>[], requested: unknown, id: unknown, t0: number, bytes: Uint8Array | undefined, asked: number): Answer {
  const { route, served } = target;
  const sig = served.predictor.signature;
  let records: Record<string, unknown>[];
  let flags: RangeFlag[] | null = null;
  try {
    const validator = validatorFor(sig, core.vopts);
    records = validator.parseRecords(raw, "records");
    if (validator.ranges) flags = checkRanges(core, served, validator.ranges(records, "records"));
  } catch (e) {
    throw inTensors(e);
  }
  // Checked before scoring: a bad output name is the client's 400, not a scored-and-logged request.
  const want = wantedOutputs(requested, sig.output);
  const top = asked === 0 && want === null ? 0 : explainTopFor(asked, want);
  // Before scoring: a learner without explanations (knn, naive Bayes, some ensembles) is a 400, nothing scored or logged.
  const explained = top > 0 ? explanationTensorsJson(explainerOf(served).explainRecords(records, top), want) : null;
  const scored = scoreRoute(core, route, served, records, t0);
  const ids = idsJson(scored.ids);
  if (core.sink) logAnswer(core.sink, served, route.role, records, scored, performance.now() - t0, logTexts(bytes, records, scored.outputs, ids));
  const p = served.provenance;
  const [head, params, headWide] = headOf(p);
  const flagged = flags ? `,"out_of_range":${JSON.stringify(flags.slice(0, MAX_FLAGS_SHOWN))},"out_of_range_count":${flags.length}` : "";
  const idText = typeof id === "string" ? JSON.stringify(id) : `"${scored.ids[0]}"`;
  let outputs = outputsJson(scored.outputs, sig.output.classes, sig.output.task, want);
  const wide = outputsWide;
  if (explained !== null) outputs = [...(outputs === "" ? [] : [outputs]), ...explained].join(",");
  const text = `${head}${idText}${params}${ids}${flagged}},"outputs":[${outputs}]}`;
  // Prediction ids are hex digits and dashes; the rest is checked where it is made.
  const ascii = !wide && !headWide && (typeof id !== "string" || !NON_ASCII.test(idText)) && (flags === null || !NON_ASCII.test(flagged)) && (explained === null || !NON_ASCII.test(outputs));
  return { text, headers: cachedProvenanceHeaders(p), ascii };
}
