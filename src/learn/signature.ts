// Infers a model's input signature from its training rows: types, nullability, categories and strictness.

import type { FieldSpec, Frame, Signature, Task } from "../records.js";
import { isDatetimeColumn } from "../features/datetime.js";
import { findColumn } from "../features/pipeline.js";

/** Categorical columns with at most this many categories are strict by default ("auto"). */
export const STRICT_MAX_CATEGORIES = 50;

export type StrictMode = boolean | "auto";

export function inferSignature(
  frame: Frame,
  features: string[],
  rows: Uint32Array,
  output: Signature["output"],
  strict: StrictMode = "auto",
): Signature {
  const inputs = features.map((name): FieldSpec => {
    const col = findColumn(frame, name);
    if (col.kind === "numeric") {
      let nullable = false;
      let integer = true;
      let min = Infinity;
      let max = -Infinity;
      for (let j = 0; j < rows.length; j++) {
        const v = col.values[rows[j]];
        if (Number.isNaN(v)) nullable = true;
        else {
          if (integer && !Number.isInteger(v)) integer = false;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      // The training range lets serving flag (or, under serve.strict_ranges, refuse) values the model never saw.
      return { name, type: integer ? "integer" : "number", nullable, ...(min <= max ? { min, max } : {}) };
    }
    const seen = new Set<string>();
    let nullable = false;
    for (let j = 0; j < rows.length; j++) {
      const v = col.values[rows[j]];
      if (v === null) nullable = true;
      else seen.add(v);
    }
    const categories = [...seen].sort();
    if (isDatetimeColumn(col.values, rows)) return { name, type: "timestamp", nullable };
    if (categories.length > 0 && categories.every((c) => c === "true" || c === "false")) {
      return { name, type: "boolean", nullable };
    }
    const isStrict = strict === "auto" ? categories.length <= STRICT_MAX_CATEGORIES : strict;
    return { name, type: "string", nullable, categories, strict: isStrict };
  });
  return { inputs, output };
}

export function taskOutput(task: Task, classes: string[] | undefined, positive: string | undefined): Signature["output"] {
  if (task === "regression") return { task };
  return positive !== undefined ? { task, classes, positive } : { task, classes };
}
