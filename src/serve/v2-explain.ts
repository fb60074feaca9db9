// Explanations in KServe V2 infer: `"parameters": {"explain": true, "explain_top": K}` (or naming an explanation
// tensor in `outputs`) adds five output tensors beside the predictions. Per record i, explained output o (the positive
// class for binary, every class for multiclass, "value" for regression) and contribution j:
//   explanation_base FP64 [n, O]   explanation_raw FP64 [n, O]   explanation_rest FP64 [n, O]
//   explanation_columns BYTES [n, O, k]   explanation_values FP64 [n, O, k]   (largest |value| first)
// with base + Σ values + rest = raw, the model's raw score on the scale that explanation_base's parameters name.
// Also the check of a V2 body's top-level fields (id, parameters, inputs, outputs), which /predict does for its own.
import { ValidationError } from "../errors.js";
import type { OutputExplanation } from "../learn/explain/rows.js";
import { DEFAULT_EXPLAIN_TOP, explainTopOf } from "./explain-request.js";
import type { ServedModel } from "./types.js";

/** The explanation tensors, in the order an answer lists them. */
export const EXPLANATION_OUTPUTS: readonly string[] = ["explanation_base", "explanation_raw", "explanation_rest", "explanation_columns", "explanation_values"];

const BODY_HINT = 'a V2 infer body takes id, parameters, inputs and outputs; "parameters": {"explain": true, "explain_top": 10} adds explanations';

/**
 * Checks a V2 infer body's top-level fields and `parameters`; what it asks of explanations: top-k > 0, 0 when it does
 * not say, -1 for `"explain": false`. A body that is not an object is left to the tensor check (its own 400).
 */
export function v2ExplainAsked(body: unknown): number {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return 0;
  for (const k in body) {
    if (k !== "inputs" && k !== "outputs" && k !== "parameters" && k !== "id") throw new ValidationError(`${k} is not a V2 infer request field`, { path: k, hint: BODY_HINT });
  }
  const p = (body as { parameters?: unknown }).parameters;
  if (p === undefined) return 0;
  if (p === null || typeof p !== "object" || Array.isArray(p)) throw new ValidationError(`parameters must be an object, got ${JSON.stringify(p)}`, { path: "parameters", hint: BODY_HINT });
  const { explain, explain_top } = p as Record<string, unknown>;
  const top = explainTopOf(explain, explain_top, "parameters.");
  return explain === false ? -1 : top;
}

/** Top-k to answer with (0: none): the asked one, the default when `outputs` names an explanation tensor, none when `outputs` leaves them all out. */
export function explainTopFor(asked: number, want: string[] | null): number {
  const named = want?.find((n) => EXPLANATION_OUTPUTS.includes(n));
  if (named !== undefined) {
    if (asked < 0) throw new ValidationError(`outputs asks for ${named} but parameters.explain is false`, { path: "parameters.explain", hint: "set parameters.explain to true, or leave the explanation tensors out of outputs" });
    return asked > 0 ? asked : DEFAULT_EXPLAIN_TOP;
  }
  return want === null && asked > 0 ? asked : 0;
}

const tensor = (name: string, datatype: string, shape: number[], data: unknown[], parameters?: Record<string, unknown>): string =>
  JSON.stringify(parameters ? { name, datatype, shape, data, parameters } : { name, datatype, shape, data });

/** The explanation tensors' JSON (those `want` names, or all when it is null), in EXPLANATION_OUTPUTS order. */
export function explanationTensorsJson(rows: OutputExplanation[][], want: string[] | null): string[] {
  const n = rows.length;
  const first = rows[0] ?? [];
  const O = first.length;
  const k = first[0]?.contributions.length ?? 0;
  const base: number[] = [];
  const raw: number[] = [];
  const rest: number[] = [];
  const columns: string[] = [];
  const values: number[] = [];
  for (const per of rows) {
    for (const e of per) {
      base.push(e.base);
      raw.push(e.raw);
      rest.push(e.rest);
      for (const c of e.contributions) {
        columns.push(c.feature);
        values.push(c.value);
      }
    }
  }
  const made: Record<string, () => string> = {
    explanation_base: () => tensor("explanation_base", "FP64", [n, O], base, { outputs: first.map((e) => e.output), scale: first[0]?.scale ?? null }),
    explanation_raw: () => tensor("explanation_raw", "FP64", [n, O], raw),
    explanation_rest: () => tensor("explanation_rest", "FP64", [n, O], rest),
    explanation_columns: () => tensor("explanation_columns", "BYTES", [n, O, k], columns),
    explanation_values: () => tensor("explanation_values", "FP64", [n, O, k], values),
  };
  return EXPLANATION_OUTPUTS.filter((name) => want === null || want.includes(name)).map((name) => made[name]());
}

/** The explanation tensors as V2 model metadata lists them; none for a model that cannot explain. */
export function explanationMetadata(served: ServedModel): unknown[] {
  const p = served.predictor as { explainRecords?: unknown; explainable?: boolean };
  if (served.features || typeof p.explainRecords !== "function" || p.explainable === false) return [];
  const form = { form: "explain", asked_by: 'parameters: {"explain": true, "explain_top": k} (default 10), or naming the tensor in outputs' };
  return [
    { name: "explanation_base", datatype: "FP64", shape: [-1, -1], parameters: { ...form, meaning: "per record and explained output: the base value; parameters.outputs names the outputs, parameters.scale the scale" } },
    { name: "explanation_raw", datatype: "FP64", shape: [-1, -1], parameters: { ...form, meaning: "the raw score: base + sum of explanation_values + explanation_rest" } },
    { name: "explanation_rest", datatype: "FP64", shape: [-1, -1], parameters: { ...form, meaning: "the sum of the contributions beyond the top k" } },
    { name: "explanation_columns", datatype: "BYTES", shape: [-1, -1, -1], parameters: { ...form, meaning: "the top-k columns, largest |contribution| first" } },
    { name: "explanation_values", datatype: "FP64", shape: [-1, -1, -1], parameters: { ...form, meaning: "their contributions" } },
  ];
}
