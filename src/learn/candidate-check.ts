// Checks a training candidate (model name, parameters, search space) against the model specs before any data is
// read, without importing a learner: millrace.yaml's schema and `millrace train -p` both ask here, so a typo fails in
// seconds, not mid-run.

import { ValidationError } from "../errors.js";
import { splitParams } from "./fit-params.js";
import { MODEL_SPECS } from "./model-specs.js";
import type { ModelSpec } from "./model-spec.js";
import { paramNames, resolveParams, type ParamSchema } from "./params.js";

/** One problem, at a path relative to the candidate (["params", "max_depht"]), with a message that says the fix. */
export interface CandidateProblem {
  path: (string | number)[];
  message: string;
}

/** The shape of a candidate as millrace.yaml and the CLI give it; the space's distributions as declared. */
export interface CandidateInput {
  model: string;
  params?: Record<string, unknown>;
  search?: { space: Record<string, unknown> };
}

const say = (e: ValidationError): string => (e.hint ? `${e.message} (${e.hint})` : e.message);

/** The ValidationError a check throws, or null; other errors are bugs and propagate. */
function caught(check: () => unknown): ValidationError | null {
  try {
    check();
    return null;
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
}

/** Values a space can produce at its edges: every choice, or low and high (grids and log scales hit them exactly). */
function edgeValues(d: unknown): unknown[] {
  if (Array.isArray(d)) return d;
  if (typeof d !== "object" || d === null) return [];
  const o = d as { type?: unknown; values?: unknown; low?: unknown; high?: unknown };
  if (o.type === "choice") return Array.isArray(o.values) ? o.values : [];
  return [o.low, o.high].filter((v) => typeof v === "number");
}

function spaceProblems(model: string, schema: ParamSchema, space: Record<string, unknown>): CandidateProblem[] {
  const names = paramNames(schema);
  const out: CandidateProblem[] = [];
  for (const [k, d] of Object.entries(space)) {
    const path = ["search", "space", k];
    if (!names.includes(k)) {
      out.push({ path, message: `unknown parameter "${k}" for model ${model} (a search space holds the learner's parameters: ${names.join(", ")})` });
      continue;
    }
    for (const v of edgeValues(d)) {
      const e = caught(() => resolveParams(model, schema, { [k]: v }));
      if (e) {
        out.push({ path, message: `search space ${say(e)}` });
        break;
      }
    }
  }
  return out;
}

/** Every problem of a candidate (an empty list when it is sound); each parameter is checked on its own. */
export function candidateProblems(c: CandidateInput): CandidateProblem[] {
  const kind: ModelSpec | undefined = Object.prototype.hasOwnProperty.call(MODEL_SPECS, c.model) ? (MODEL_SPECS as Record<string, ModelSpec>)[c.model] : undefined;
  if (!kind) return [{ path: ["model"], message: `unknown model "${c.model}" (available models: ${Object.keys(MODEL_SPECS).join(", ")})` }];
  const out: CandidateProblem[] = [];
  let learnerParams: Record<string, unknown> = {};
  const fitOptions = caught(() => (learnerParams = splitParams({ candidate: { params: c.params ?? {} } }).learnerParams));
  if (fitOptions) out.push({ path: String(fitOptions.details.path ?? "params").split("."), message: say(fitOptions) });
  for (const [k, v] of Object.entries(learnerParams)) {
    const e = caught(() => resolveParams(kind.name, kind.params, { [k]: v }));
    if (e) out.push({ path: ["params", k], message: say(e) });
  }
  if (out.length === 0 && kind.check) {
    const e = caught(() => kind.check!(resolveParams(kind.name, kind.params, learnerParams)));
    if (e) out.push({ path: String(e.details.path ?? "params").split("."), message: say(e) });
  }
  if (c.search) out.push(...spaceProblems(kind.name, kind.params, c.search.space));
  return out;
}

/** Throws the first problem of a candidate as a ValidationError naming the field (the CLI's `-p name=value`). */
export function checkCandidate(c: CandidateInput): void {
  const [first] = candidateProblems(c);
  if (first) throw new ValidationError(first.message, { path: first.path.join(".") });
}
