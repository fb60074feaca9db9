// The OpenAPI 3.1 document of the server, with the record schema generated from the served model's signature (one definition).
import { z } from "zod";
import type { Signature } from "../records.js";
import { recordSchema } from "./validate.js";

const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" }, path: { type: ["string", "null"] }, hint: { type: "string" } },
  required: ["error", "message"],
};

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: "error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]));

export function openApiDocument(signature: Signature | null, opts: { stickyHeader: string }): Record<string, unknown> {
  const record = signature
    ? (() => {
        const { $schema: _s, ...rest } = z.toJSONSchema(recordSchema(signature), { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
        return rest;
      })()
    : { type: "object", description: "no model loaded: the record schema appears once a model is served" };
  const provenance = {
    type: "object",
    properties: Object.fromEntries(["model", "version", "alias", "runId", "datasetId", "datasetHash", "artifactUri"].map((k) => [k, { type: k === "version" ? "integer" : ["string", "null"] }])),
  };
  const explanation = {
    type: "object",
    description: "base + the contributions + rest = raw, the model's raw score on `scale`",
    properties: {
      output: { type: "string", description: "the class explained (binary: the positive class) or value" },
      scale: { type: "string", description: "log-odds, margin, probability or value" },
      base: { type: "number" },
      raw: { type: "number" },
      contributions: { type: "array", items: { type: "object", properties: { feature: { type: "string" }, value: { type: "number" } } } },
      rest: { type: "number", description: "the sum of the contributions beyond the top k" },
    },
  };
  const ok = (schema: unknown) => ({ description: "ok", content: { "application/json": { schema } } });
  const bearer = [{ token: [] }];
  return {
    openapi: "3.1.0",
    info: { title: "Millrace model server", version: "1" },
    components: {
      schemas: { Record: record, Error: errorSchema, Provenance: provenance, Explanation: explanation },
      securitySchemes: { token: { type: "http", scheme: "bearer" } },
    },
    paths: {
      "/predict": {
        post: {
          summary: "Score records with the served model; provenance in the body and x-millrace-* headers",
          parameters: [
            { name: opts.stickyHeader, in: "header", required: false, schema: { type: "string" }, description: "sticky key for canary routing" },
            { name: "explain", in: "query", required: false, schema: { type: "boolean" }, description: "query form of the body's explain" },
            { name: "explain_top", in: "query", required: false, schema: { type: "integer", minimum: 1, default: 10 }, description: "query form of the body's explain_top" },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    records: { type: "array", minItems: 1, items: { $ref: "#/components/schemas/Record" } },
                    explain: { type: "boolean", default: false, description: "add explanations (tree and linear models; a 400 naming explain for others and feature-service models)" },
                    explain_top: { type: "integer", minimum: 1, default: 10, description: "contributions kept per record and output, largest first" },
                  },
                  required: ["records"],
                  additionalProperties: false,
                },
              },
            },
          },
          responses: {
            "200": ok({
              type: "object",
              properties: {
                predictions: { type: "array", items: { type: "object", properties: { label: { type: "string" }, probabilities: { type: "object", additionalProperties: { type: "number" } }, value: { type: "number" } } } },
                provenance: { $ref: "#/components/schemas/Provenance" },
                ids: { type: "array", items: { type: "string" } },
                explanations: { type: "array", description: "with explain: per record, per explained output", items: { type: "array", items: { $ref: "#/components/schemas/Explanation" } } },
              },
            }),
            ...errors(400, 413, 415, 503),
          },
        },
      },
      "/health": { get: { summary: "Liveness with the served model's provenance", responses: { "200": ok({ type: "object" }), ...errors(503) } } },
      "/ready": { get: { summary: "Readiness: a model is loaded and the server is not draining", responses: { "200": ok({ type: "object" }), ...errors(503) } } },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { "200": { description: "text exposition format" } } } },
      "/models": { get: { summary: "Served models with role (primary, canary, shadow), provenance and signature", responses: { "200": ok({ type: "object" }) } } },
      "/reload": { post: { summary: "Re-resolve the served alias now", security: bearer, responses: { "200": ok({ type: "object" }), ...errors(401, 404) } } },
      "/feedback": {
        post: {
          summary: "Post labels for earlier prediction ids",
          security: bearer,
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", properties: { feedback: { type: "array", items: { type: "object", properties: { id: { type: "string" }, label: { type: "string" }, value: { type: "number" } }, required: ["id"] } } } } } } },
          responses: { "200": ok({ type: "object" }), ...errors(400, 401) },
        },
      },
      "/v2": { get: { summary: "KServe V2 server metadata", responses: { "200": ok({ type: "object" }) } } },
      "/v2/health/live": { get: { summary: "KServe V2 liveness", responses: { "200": ok({ type: "object" }) } } },
      "/v2/health/ready": { get: { summary: "KServe V2 readiness", responses: { "200": ok({ type: "object" }), ...errors(503) } } },
      "/v2/models/{name}": { get: { summary: "KServe V2 model metadata", parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }], responses: { "200": ok({ type: "object" }), ...errors(404) } } },
      "/v2/models/{name}/infer": {
        post: {
          summary: "KServe V2 inference on columnar tensors; model_version in the standard field, run id, alias and dataset hash in parameters",
          description:
            "parameters.explain (tree and linear models) adds output tensors explanation_base, explanation_raw, explanation_rest (FP64 [n, O]; O explained outputs, named with the scale in explanation_base's parameters), explanation_columns (BYTES [n, O, k], largest |contribution| first) and explanation_values (FP64 [n, O, k]): base + Σ values + rest = raw; outputs picks them by name (naming one asks for explanations). A recommender answers two forms: user and item tensors → `value` (the pair's score); the user tensor alone (BYTES or INT64, shape [n]) → top-K lists as /recommend ranks them: `items` (BYTES [n, k]), `scores` (FP64 [n, k]), `cold_start` (BYTES [n]), with parameters.k (default 10, at most the catalogue) and parameters.exclude_seen (default true).",
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    id: { type: "string" },
                    inputs: { type: "array" },
                    outputs: { type: "array", items: { type: "object", properties: { name: { type: "string" } }, required: ["name"] } },
                    parameters: {
                      type: "object",
                      description: "other keys are ignored",
                      properties: {
                        explain: { type: "boolean", default: false, description: "add the explanation tensors" },
                        explain_top: { type: "integer", minimum: 1, default: 10, description: "contributions kept per record and output" },
                        k: { type: "integer", minimum: 1, description: "recommender top-K form: list length" },
                        exclude_seen: { type: "boolean", description: "recommender top-K form: leave out items seen in training" },
                      },
                    },
                  },
                  required: ["inputs"],
                  additionalProperties: false,
                },
              },
            },
          },
          responses: { "200": ok({ type: "object" }), ...errors(400, 404, 413, 415, 503) },
        },
      },
    },
  };
}
