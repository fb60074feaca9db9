// KServe V2 / Open Inference Protocol routes: server and model metadata, health, and columnar-tensor inference.
import type { Hono } from "hono";
import { MillraceError, ValidationError } from "../errors.js";
import type { FieldSpec } from "../records.js";
import { readJsonBodyText, V2_BODY_HINT } from "./body.js";
import type { PredictCore } from "./predict.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import type { ServedModel } from "./types.js";
import { recommenderV2Metadata } from "./recommend-v2.js";
import { allServed, answerV2, v2Route } from "./v2-infer.js";
import { answerV2WithFeatures } from "./v2-features.js";
import { explanationMetadata } from "./v2-explain.js";

export { tensorsToRecords } from "./v2-infer.js";

export interface V2Options {
  core: PredictCore;
  ready: () => boolean;
  maxBodyBytes: number;
  server: { name: string; version: string };
  stickyHeader: string;
}

const V2_TYPES: Record<FieldSpec["type"], string> = { number: "FP64", integer: "INT64", boolean: "BOOL", string: "BYTES", timestamp: "BYTES" };

const json = (body: unknown, status = 200, headers?: Record<string, string>) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });

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

export function mountV2(app: Hono, opts: V2Options): void {
  const { core } = opts;
  app.get("/v2", () => json({ name: opts.server.name, version: opts.server.version, extensions: [] }));
  app.get("/v2/health/live", () => json({ live: true }));
  app.get("/v2/health/ready", () => json({ ready: opts.ready() }, opts.ready() ? 200 : 503));

  const meta = (name: string, version?: string) => {
    const { served } = v2Route(core, name, version, null);
    const versions = allServed(core).filter((m) => m.served.provenance.model === name).map((m) => String(m.served.provenance.version));
    const md = metadata(served, versions);
    const rec = recommenderV2Metadata(served); // a recommender answers pairs and top-K lists: both forms listed
    const outputs = [...md.outputs, ...(rec?.outputs ?? []), ...explanationMetadata(served)];
    return json(rec ? { ...md, outputs, parameters: rec.parameters } : { ...md, outputs }, 200, cachedProvenanceHeaders(served.provenance));
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
    // Only Hono sees a query string (the fast path leaves such URLs here): /predict's explain query form is not V2's.
    const query = req.url.includes("?") ? new URL(req.url).searchParams : null;
    for (const k of ["explain", "explain_top"]) {
      if (query?.has(k)) throw new ValidationError(`${k} is not a V2 infer query parameter`, { path: k, hint: 'V2 asks in the body: "parameters": {"explain": true, "explain_top": 10}' });
    }
    const target = v2Route(core, name, version, req.headers.get(opts.stickyHeader));
    const body = await readJsonBodyText(req, opts.maxBodyBytes, V2_BODY_HINT);
    // A feature-service model takes the inputs its metadata lists (entity keys, request fields) and looks features up.
    const answer = target.served.features ? await answerV2WithFeatures(core, target, body.value, t0) : answerV2(core, target, body.value, t0, body.bytes);
    return new Response(answer.text, { status: 200, headers: { "content-type": "application/json; charset=utf-8", ...answer.headers } });
  };
  app.post("/v2/models/:name/infer", (c) => infer(c.req.raw, c.req.param("name"), undefined));
  app.post("/v2/models/:name/versions/:version/infer", (c) => infer(c.req.raw, c.req.param("name"), c.req.param("version")));
}
