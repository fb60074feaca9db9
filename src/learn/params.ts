// Hyperparameters as zod schemas (one strict object per learner, defaults included): validation with messages
// that name the parameter, and the generic getParams / setParams / clone of every learner.

import { z } from "zod";
import { ValidationError } from "../errors.js";

export type ParamValue = number | string | boolean | null;
export type Params = Record<string, ParamValue>;

/** A learner's hyperparameters: z.strictObject({ name: z.number().int().min(1).default(200), ... }). */
export type ParamSchema = z.ZodObject<Record<string, z.ZodType<ParamValue, unknown>>, z.core.$strict>;

/** Defaults per schema, parsed once (schemas are module constants). */
const defaultsCache = new WeakMap<ParamSchema, Params>();

export function paramDefaults(schema: ParamSchema): Params {
  let d = defaultsCache.get(schema);
  if (!d) defaultsCache.set(schema, (d = schema.parse({}) as Params));
  return { ...d };
}

export function paramNames(schema: ParamSchema): string[] {
  return Object.keys(schema.shape);
}

/** What a value must be, in words, from a zod issue on one parameter. */
function requirement(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_small":
      return `${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return `${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_value":
      return `one of ${issue.values.map(String).join(", ")}`;
    case "invalid_type":
      return (
        { int: "an integer", number: "a finite number", boolean: "true or false", string: "a string" } as Record<string, string>
      )[issue.expected] ?? `of type ${issue.expected}`;
    default:
      return `valid (${issue.message})`;
  }
}

/** Defaults filled in, every given value checked; an unknown name is an error (a typo must not be ignored). */
export function resolveParams(model: string, schema: ParamSchema, given: Record<string, unknown> = {}): Params {
  const r = schema.safeParse(given);
  if (r.success) return r.data as Params;
  // A misspelt name explains the rest, so it is reported first.
  const issue = r.error.issues.find((i) => i.code === "unrecognized_keys") ?? r.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const k = issue.keys[0];
    throw new ValidationError(`unknown parameter "${k}" for model ${model}`, { path: `params.${k}`, hint: `valid parameters: ${paramNames(schema).join(", ")}` });
  }
  const k = String(issue.path[0]);
  throw new ValidationError(`parameter "${k}" of ${model} must be ${requirement(issue)}, got ${JSON.stringify(given[k])}`, {
    path: `params.${k}`,
    hint: `default: ${JSON.stringify(paramDefaults(schema)[k])}`,
  });
}

/** The estimator contract's parameter half: constructor options are the hyperparameters, nothing else. */
export abstract class ParamHolder<Self extends ParamHolder<Self>> {
  protected params: Params;

  /** `pinned`: values a variant fixes whatever is given (lasso is elastic net with l1_ratio = 1), kept by setParams. */
  constructor(
    readonly name: string,
    private readonly schema: ParamSchema,
    given: Record<string, unknown> = {},
    private readonly pinned: Params = {},
  ) {
    this.params = resolveParams(name, schema, { ...given, ...pinned });
  }

  getParams(): Params {
    return { ...this.params };
  }

  setParams(partial: Record<string, unknown>): Self {
    this.params = resolveParams(this.name, this.schema, { ...this.params, ...partial, ...this.pinned });
    return this as unknown as Self;
  }

  /** A fresh, unfitted copy with the same parameters. */
  abstract clone(): Self;

  protected num(k: string): number {
    return this.params[k] as number;
  }
}
