// KServe V2 / Open Inference Protocol routes: server and model metadata, health, and columnar-tensor inference.
import type { Hono } from "hono";
import { MillraceError, NotFoundError, ValidationError } from "../errors.js";
import type { FieldSpec, PredictionOutput } from "../records.js";
import { readJsonBody } from "./body.js";
import { checkRanges, noModel, routeFor, scoreRoute, type PredictCore } from "./predict.js";
import { MAX_FLAGS_SHOWN, type RangeFlag } from "./ranges.js";
import { logAnswer } from "./score.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import type { Route, ServedModel } from "./types.js";
import { validatorFor } from "./validate.js";

export interface V2Options {
  core: PredictCore;
  ready: () => boolean;
  maxBodyBytes: number;
  server: { name: string; version: string };
  stickyHeader: string;
}

const V2_TYPES: Record<FieldSpec["type"], string> = { number: "FP64", integer: "INT64", boolean: "BOOL", string: "BYTES", timestamp: "BYTES" };
const KNOWN_DATATYPES = new Set(["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"]);

const json = (body: unknown, status = 200, headers?: Record<string, string>) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

/** Every model this server answers with, primary first. */
function allServed(core: PredictCore): Array<{ served: ServedModel; role: string }> {
  if (core.models.list) return core.models.list();
  const cur = core.models.current();
  return cur ? [{ served: cur, role: "primary" }] : [];
}

/** The route for a V2 request: the normal traffic policy for a bare name, the exact version when one is named. */
function v2Route(core: PredictCore, name: string, version: string | undefined, key: string | null): { route: Route; served: ServedModel } {
  const all = allServed(core);
  if (all.length === 0) throw noModel();
  const named = all.filter((m) => m.served.provenance.model === name);
  if (named.length === 0) {
    throw new NotFoundError(`model ${name} is not served here`, { path: "model_name", hint: `served: ${[...new Set(all.map((m) => m.served.provenance.model))].join(", ")}` });
  }
  if (version === undefined) {
    const route = routeFor(core.models, key);
    if (route.served && route.served.provenance.model === name) return { route, served: route.served };
    return { route: { served: named[0].served, role: "primary", shadow: null }, served: named[0].served };
  }
  const exact = named.find((m) => String(m.served.provenance.version) === version);
  if (!exact) {
    throw new NotFoundError(`model ${name} version ${version} is not served here`, {
      path: "model_version",
      hint: `served versions: ${named.map((m) => m.served.provenance.version).join(", ")}`,
    });
  }
  return { route: { served: exact.served, role: "primary", shadow: null }, served: exact.served };
}

function metadata(served: ServedModel, versions: string[]) {
  const sig = served.predictor.signature;
  const n = sig.output.classes?.length ?? 0;
  return {
    name: served.provenance.model,
    versions,
    platform: "millrace",
    inputs: sig.inputs.map((f) => ({ name: f.name, datatype: V2_TYPES[f.type], shape: [-1], parameters: { nullable: f.nullable, ...(f.categories ? { categories: f.categories } : {}) } })),
    outputs:
      sig.output.task === "regression"
        ? [{ name: "value", datatype: "FP64", shape: [-1] }]
        : [
            { name: "label", datatype: "BYTES", shape: [-1] },
            { name: "probabilities", datatype: "FP64", shape: [-1, n], parameters: { classes: sig.output.classes ?? [] } },
          ],
  };
}

/** Columnar V2 input tensors → records; shape and name problems name the tensor (`inputs[2].shape`). */
export function tensorsToRecords(body: unknown, fields: ReadonlyArray<FieldSpec>): { records: Record<string, unknown>[]; names: string[] } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ValidationError("body must be a JSON object", { path: "", hint: 'send {"inputs":[{"name":..,"shape":[n],"datatype":..,"data":[..]}]}' });
  const inputs = (body as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ValidationError("inputs must be a non-empty array of tensors", { path: "inputs", hint: "one tensor per model input field" });
  let rows = -1;
  const names: string[] = [];
  const cols: unknown[][] = [];
  inputs.forEach((t: unknown, k) => {
    const where = `inputs[${k}]`;
    if (t === null || typeof t !== "object" || Array.isArray(t)) throw new ValidationError(`${where} must be a tensor object`, { path: where });
    const { name, shape, datatype, data } = t as Record<string, unknown>;
    if (typeof name !== "string" || name === "") throw new ValidationError(`${where}.name must be a non-empty string`, { path: `${where}.name` });
    if (names.includes(name)) throw new ValidationError(`${where}.name ${name} is given twice`, { path: `${where}.name` });
    if (typeof datatype !== "string" || !KNOWN_DATATYPES.has(datatype)) throw new ValidationError(`${where}.datatype must be a V2 datatype (FP64, INT64, BOOL, BYTES, ...)`, { path: `${where}.datatype` });
    if (!Array.isArray(shape) || shape.length === 0 || shape.length > 2 || !shape.every((d) => Number.isInteger(d) && d >= 0) || (shape.length === 2 && shape[1] !== 1)) {
      throw new ValidationError(`${where}.shape must be [n] or [n, 1]`, { path: `${where}.shape`, hint: "one value per record" });
    }
    const flat = Array.isArray(data) ? (data.length > 0 && Array.isArray(data[0]) ? (data as unknown[][]).flat() : data) : null;
    if (flat === null || flat.length !== shape[0]) throw new ValidationError(`${where}.data must hold ${String(shape[0])} values as its shape says`, { path: `${where}.data` });
    if (rows >= 0 && shape[0] !== rows) throw new ValidationError(`${where} has ${String(shape[0])} rows but inputs[0] has ${rows}`, { path: `${where}.shape`, hint: "every input tensor needs one value per record" });
    rows = shape[0] as number;
    names.push(name);
    cols.push(flat);
  });
  for (const f of fields) {
    if (!f.nullable && !names.includes(f.name)) throw new ValidationError(`no input tensor named ${f.name}`, { path: "inputs", hint: `the model needs: ${fields.map((x) => x.name).join(", ")}` });
  }
  const records = new Array<Record<string, unknown>>(rows);
  for (let i = 0; i < rows; i++) {
    const r: Record<string, unknown> = {};
    for (let k = 0; k < names.length; k++) r[names[k]] = cols[k][i];
    records[i] = r;
  }
  return { records, names };
}

interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
  parameters?: Record<string, unknown>;
}

function outputTensors(outputs: PredictionOutput[], classes: string[] | undefined, task: string): Tensor[] {
  const n = outputs.length;
  if (task === "regression") return [{ name: "value", datatype: "FP64", shape: [n], data: outputs.map((o) => o.value ?? null) }];
  const cls = classes ?? Object.keys(outputs[0]?.probabilities ?? {});
  const probs: number[] = [];
  for (const o of outputs) for (const c of cls) probs.push(o.probabilities?.[c] ?? 0);
  return [
    { name: "label", datatype: "BYTES", shape: [n], data: outputs.map((o) => o.label ?? null) },
    { name: "probabilities", datatype: "FP64", shape: [n, cls.length], data: probs, parameters: { classes: cls } },
  ];
}

export function mountV2(app: Hono, opts: V2Options): void {
  const { core } = opts;
  app.get("/v2", () => json({ name: opts.server.name, version: opts.server.version, extensions: [] }));
  app.get("/v2/health/live", () => json({ live: true }));
  app.get("/v2/health/ready", () => json({ ready: opts.ready() }, opts.ready() ? 200 : 503));

  const meta = (name: string, version?: string) => {
    const { served } = v2Route(core, name, version, null);
    const versions = allServed(core).filter((m) => m.served.provenance.model === name).map((m) => String(m.served.provenance.version));
    return json(metadata(served, versions), 200, cachedProvenanceHeaders(served.provenance));
  };
  app.get("/v2/models/:name", (c) => meta(c.req.param("name")));
  app.get("/v2/models/:name/versions/:version", (c) => meta(c.req.param("name"), c.req.param("version")));
  const readyOf = (name: string, version?: string) => {
    try {
      v2Route(core, name, version, null);
      return json({ name, ready: opts.ready() }, opts.ready() ? 200 : 503);
    } catch (e) {
      if (e instanceof MillraceError && e.code === "not_found") throw e;
      return json({ name, ready: false }, 503);
    }
  };
  app.get("/v2/models/:name/ready", (c) => readyOf(c.req.param("name")));
  app.get("/v2/models/:name/versions/:version/ready", (c) => readyOf(c.req.param("name"), c.req.param("version")));

  const infer = async (req: Request, name: string, version: string | undefined) => {
    const t0 = performance.now();
    const { route, served } = v2Route(core, name, version, req.headers.get(opts.stickyHeader));
    const body = await readJsonBody(req, opts.maxBodyBytes);
    const sig = served.predictor.signature;
    const { records: raw } = tensorsToRecords(body, sig.inputs);
    let records: Record<string, unknown>[];
    let flags: RangeFlag[] | null = null;
    try {
      const validator = validatorFor(sig, core.vopts);
      records = validator.parseRecords(raw, "records");
      if (validator.ranges) flags = checkRanges(core, served, validator.ranges(records, "records"));
    } catch (e) {
      // Say where the value sits in the tensors the client sent: records[3].tenure → inputs[tenure].data[3].
      if (e instanceof ValidationError && typeof e.details.path === "string") {
        const m = /^records\[(\d+)\]\.(.+)$/.exec(e.details.path);
        if (m) {
          const path = `inputs[${m[2]}].data[${m[1]}]`;
          throw new ValidationError(e.message.replace(e.details.path, path), { ...e.details, path });
        }
      }
      throw e;
    }
    const requested = (body as { outputs?: unknown }).outputs;
    const scored = scoreRoute(core, route, served, records, t0);
    logAnswer(core.sink, served, route.role, records, scored, performance.now() - t0);
    const { outputs, ids } = scored;
    let tensors = outputTensors(outputs, sig.output.classes, sig.output.task);
    if (Array.isArray(requested) && requested.length > 0) {
      const want = requested.map((o, k) => {
        const n = (o as { name?: unknown })?.name;
        if (typeof n !== "string" || !tensors.some((t) => t.name === n)) throw new ValidationError(`outputs[${k}].name must be one of ${tensors.map((t) => t.name).join(", ")}`, { path: `outputs[${k}].name` });
        return n;
      });
      tensors = tensors.filter((t) => want.includes(t.name));
    }
    const p = served.provenance;
    const id = (body as { id?: unknown }).id;
    return json(
      {
        model_name: p.model,
        model_version: String(p.version),
        id: typeof id === "string" ? id : ids[0],
        parameters: {
          run_id: p.runId, artifact_uri: p.artifactUri, alias: p.alias, dataset_id: p.datasetId, dataset_hash: p.datasetHash, prediction_ids: ids,
          ...(flags ? { out_of_range: flags.slice(0, MAX_FLAGS_SHOWN), out_of_range_count: flags.length } : {}),
        },
        outputs: tensors,
      },
      200,
      cachedProvenanceHeaders(p),
    );
  };
  app.post("/v2/models/:name/infer", (c) => infer(c.req.raw, c.req.param("name"), undefined));
  app.post("/v2/models/:name/versions/:version/infer", (c) => infer(c.req.raw, c.req.param("name"), c.req.param("version")));
}
