// Out-of-range inputs: values a model never saw in training (a number outside the training range, a category not
// among the known ones) are still scored, but flagged in the answer and counted, or refused under serve.strict_ranges.
import { ValidationError } from "../errors.js";
import type { FieldSpec, Signature } from "../records.js";

/**
 * The training range of a numeric field. The signature records it when the learner writes `min` / `max` on the field;
 * signatures without them (all of them today, see the report of issue 9) get no numeric check.
 */
type RangedField = FieldSpec & { min?: number; max?: number };

export interface RangeFlag {
  /** records[3].tenure */
  path: string;
  field: string;
  reason: "below_training_min" | "above_training_max" | "unseen_category";
  value: unknown;
}

/** Flags of one request, or null when every value is inside what training saw. */
export type RangeChecker = (records: ReadonlyArray<Record<string, unknown>>, where: string) => RangeFlag[] | null;

/** Most flags listed in one answer (all of them are counted). */
export const MAX_FLAGS_SHOWN = 100;

interface Check {
  name: string;
  min: number;
  max: number;
  categories: Set<string> | null;
}

/** A checker for the fields whose training values the signature records, or null when it records none (no cost then). */
export function compileRangeChecker(signature: Signature): RangeChecker | null {
  const checks: Check[] = [];
  for (const f of signature.inputs as RangedField[]) {
    if ((f.type === "number" || f.type === "integer") && (typeof f.min === "number" || typeof f.max === "number")) {
      checks.push({ name: f.name, min: f.min ?? -Infinity, max: f.max ?? Infinity, categories: null });
    } else if (f.type === "string" && !f.strict && f.categories && f.categories.length > 0) {
      // Strict fields never get here: validation already refused their unknown categories.
      checks.push({ name: f.name, min: -Infinity, max: Infinity, categories: new Set(f.categories) });
    }
  }
  if (checks.length === 0) return null;
  return compileChecks(checks);
}

/**
 * The checks as generated code reading each field by literal key (validated records share one hidden class: a
 * monomorphic load instead of a generic keyed lookup per value and field). Names enter the code only through
 * JSON.stringify; flags come out record by record, field by field, as a loop over the checks would give them.
 */
function compileChecks(checks: Check[]): RangeChecker {
  const head: string[] = [];
  const body: string[] = [];
  checks.forEach((c, k) => {
    const key = JSON.stringify(c.name);
    let test: string;
    if (c.categories) {
      head.push(`const cats${k} = checks[${k}].categories;`);
      test = `typeof v === "string" && !cats${k}.has(v) ? "unseen_category" : null`;
    } else {
      head.push(`const min${k} = checks[${k}].min, max${k} = checks[${k}].max;`);
      test = `typeof v === "number" ? (v < min${k} ? "below_training_min" : v > max${k} ? "above_training_max" : null) : null`;
    }
    body.push(`v = r[${key}]; reason = ${test}; if (reason !== null) (flags ??= []).push({ path: where + "[" + i + "]." + checks[${k}].name, field: checks[${k}].name, reason, value: v });`);
  });
  const code = `return function checkRanges(records, where) {
  ${head.join("\n  ")}
  let flags = null;
  let v, reason;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    ${body.join("\n    ")}
  }
  return flags;
};`;
  return new Function("checks", code)(checks) as RangeChecker;
}

/** The 400 of strict mode: the first flagged value, named. */
export function rangeError(flags: RangeFlag[], signature: Signature): ValidationError {
  const f = flags[0];
  const spec = signature.inputs.find((x) => x.name === f.field) as RangedField | undefined;
  const what =
    f.reason === "unseen_category"
      ? `category ${JSON.stringify(f.value)} was never seen in training`
      : `${String(f.value)} is outside the training range [${spec?.min ?? "-∞"}, ${spec?.max ?? "∞"}]`;
  return new ValidationError(`${f.path}: ${what} (serve.strict_ranges is on)`, {
    path: f.path,
    hint: "send a value inside what the model was trained on, or turn serve.strict_ranges off to score it with a flag",
    flagged: flags.length,
  });
}
