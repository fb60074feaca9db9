// Hyperparameter specs: defaults, validation and the generic getParams / setParams / clone of every learner.

import { ValidationError } from "../errors.js";

export type ParamValue = number | string | boolean | null;
export type Params = Record<string, ParamValue>;

export interface ParamRule {
  default: ParamValue;
  /** number: inclusive bounds; int: must be an integer; choices: allowed strings. */
  min?: number;
  max?: number;
  int?: boolean;
  choices?: readonly string[];
  /** Allows null (meaning "off" / "no limit"). */
  nullable?: boolean;
  /** Strictly greater than `min`. */
  exclusiveMin?: boolean;
}

export type ParamSpec = Record<string, ParamRule>;

/** Defaults filled in, every given value checked; an unknown name is an error (a typo must not be ignored). */
export function resolveParams(model: string, spec: ParamSpec, given: Record<string, unknown> = {}): Params {
  const out: Params = {};
  for (const [k, rule] of Object.entries(spec)) out[k] = rule.default;
  for (const [k, v] of Object.entries(given)) {
    const rule = spec[k];
    if (!rule) {
      throw new ValidationError(`unknown parameter "${k}" for model ${model}`, {
        path: `params.${k}`,
        hint: `valid parameters: ${Object.keys(spec).join(", ")}`,
      });
    }
    out[k] = checkValue(model, k, rule, v);
  }
  return out;
}

function checkValue(model: string, k: string, rule: ParamRule, v: unknown): ParamValue {
  const fail = (want: string): never => {
    throw new ValidationError(`parameter "${k}" of ${model} must be ${want}, got ${JSON.stringify(v)}`, {
      path: `params.${k}`,
      hint: `default: ${JSON.stringify(rule.default)}`,
    });
  };
  if (v === null || v === undefined) return rule.nullable ? null : fail("set (null is not allowed)");
  if (rule.choices) {
    if (typeof v !== "string" || !rule.choices.includes(v)) fail(`one of ${rule.choices.join(", ")}`);
    return v as string;
  }
  const d = rule.default;
  if (typeof d === "string") {
    if (typeof v !== "string") fail("a string");
    return v as string;
  }
  if (typeof d === "boolean" || (d === null && typeof v === "boolean")) {
    if (typeof v !== "boolean") fail("true or false");
    return v as boolean;
  }
  if (typeof v !== "number" || !Number.isFinite(v)) return fail("a finite number");
  const x = v as number;
  if (rule.int && !Number.isInteger(x)) fail("an integer");
  if (rule.min !== undefined && (rule.exclusiveMin ? x <= rule.min : x < rule.min)) fail(`${rule.exclusiveMin ? ">" : ">="} ${rule.min}`);
  if (rule.max !== undefined && x > rule.max) fail(`<= ${rule.max}`);
  return x;
}

/** The estimator contract's parameter half: constructor options are the hyperparameters, nothing else. */
export abstract class ParamHolder<Self extends ParamHolder<Self>> {
  protected params: Params;

  constructor(
    readonly name: string,
    private readonly spec: ParamSpec,
    given: Record<string, unknown> = {},
  ) {
    this.params = resolveParams(name, spec, given);
  }

  getParams(): Params {
    return { ...this.params };
  }

  setParams(partial: Record<string, unknown>): Self {
    this.params = resolveParams(this.name, this.spec, { ...this.params, ...partial });
    return this as unknown as Self;
  }

  /** A fresh, unfitted copy with the same parameters. */
  abstract clone(): Self;

  protected num(k: string): number {
    return this.params[k] as number;
  }
}
