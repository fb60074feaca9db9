// Target handling: the class list of a classification target and the encoding of rows into class indices / values.

import { TrainingError, ValidationError } from "../errors.js";
import { isDatetimeColumn } from "../features/datetime.js";
import type { Column, Task } from "../records.js";

/** String form of a target value: the form labels and `positive` are compared in (1 -> "1"). */
export function labelAt(col: Column, row: number): string | null {
  if (col.kind === "categorical") return col.values[row];
  const v = col.values[row];
  return Number.isNaN(v) ? null : String(v);
}

/**
 * Classes of a classification target over `rows`: sorted labels, except that for binary the positive label
 * is last ([negative, positive]). Binary without `positive`: the last label in sorted order is positive.
 */
export function classesOf(col: Column, rows: Uint32Array, task: Task, positive?: string): string[] {
  const seen = new Set<string>();
  for (let j = 0; j < rows.length; j++) {
    const v = labelAt(col, rows[j]);
    if (v !== null) seen.add(v);
  }
  const sorted = [...seen].sort((a, b) => {
    const x = Number(a);
    const y = Number(b);
    return Number.isFinite(x) && Number.isFinite(y) && a.trim() !== "" && b.trim() !== "" ? x - y : a < b ? -1 : a > b ? 1 : 0;
  });
  if (sorted.length < 2) {
    throw new TrainingError(`target "${col.name}" has ${sorted.length} class${sorted.length === 1 ? "" : "es"} (${sorted.join(", ") || "none"}): a classifier needs at least two`, {
      path: col.name,
      hint: "check the target column and the rows selected for training",
    });
  }
  if (task === "multiclass") return sorted;
  if (sorted.length > 2) {
    throw new TrainingError(`target "${col.name}" has ${sorted.length} classes but the task is binary`, {
      path: col.name,
      hint: 'use task "multiclass", or map the target to two values',
    });
  }
  if (positive === undefined) return sorted;
  if (!sorted.includes(positive)) {
    throw new ValidationError(`positive label "${positive}" is not a value of target "${col.name}" (values: ${sorted.join(", ")})`, {
      path: "positive",
      hint: `use one of: ${sorted.join(", ")}`,
    });
  }
  return [sorted.find((c) => c !== positive)!, positive];
}

/**
 * A classification target that cannot be learnt as classes is refused before training: a date or date-time (each
 * day its own class), or a column distinct in every row (an id or a measurement: every class one row, so no class
 * is ever seen in both the train and the test rows). 178 one-row classes once trained for 32 s to a log_loss of 12.4.
 */
export function checkClassTarget(col: Column, rows: Uint32Array, task: Task, path: "--target" | "dataset.target" = "--target"): void {
  const cli = path === "--target";
  const other = cli ? "predict another column with --target" : "set dataset.target to another column";
  const asNumber = cli ? "--task regression" : "dataset.task: regression";
  if (task !== "binary" && task !== "multiclass") return;
  const forTask = task;
  if (col.kind === "categorical" && isDatetimeColumn(col.values, rows)) {
    throw new ValidationError(`target "${col.name}" holds dates: as ${forTask} classes, each date would be a class of its own`, {
      path,
      hint: `${other} (a date is a feature: it becomes year, month, day, … parts), or a number derived from the date with ${asNumber}`,
    });
  }
  const distinct = new Set<string>();
  let present = 0;
  for (let j = 0; j < rows.length; j++) {
    const v = labelAt(col, rows[j]);
    if (v === null) continue;
    present++;
    distinct.add(v);
  }
  if (present > 2 && distinct.size === present) {
    throw new ValidationError(`target "${col.name}" has a different value in every one of its ${present} rows: as ${forTask} classes, each would be a class of one row, never both trained on and tested`, {
      path,
      hint: col.kind === "numeric" ? `use ${asNumber} to predict it as a number, or ${other}` : `${other} (this one looks like an identifier or free text)`,
    });
  }
}

/** A class with too few train rows to learn from (fewer than MIN_CLASS_TRAIN_ROWS), and how many test rows it has. */
export interface ThinClass {
  label: string;
  trainRows: number;
  testRows: number;
}

/** Fewer train rows of a class than this: the model learns next to nothing about it (and CV folds may miss it). */
export const MIN_CLASS_TRAIN_ROWS = 2;

/** Classes of a classification target with fewer than MIN_CLASS_TRAIN_ROWS train rows (none in train included), by label. */
export function thinClasses(col: Column, trainRows: Uint32Array, testRows: Uint32Array): ThinClass[] {
  const counts = new Map<string, ThinClass>();
  const count = (rows: Uint32Array, key: "trainRows" | "testRows") => {
    for (let j = 0; j < rows.length; j++) {
      const v = labelAt(col, rows[j]);
      if (v === null) continue;
      let c = counts.get(v);
      if (!c) counts.set(v, (c = { label: v, trainRows: 0, testRows: 0 }));
      c[key]++;
    }
  };
  count(trainRows, "trainRows");
  count(testRows, "testRows");
  return [...counts.values()].filter((c) => c.trainRows < MIN_CLASS_TRAIN_ROWS).sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** Class indices (classification) or values (regression) of `rows`; a missing or unknown target is an error. */
export function encodeTarget(col: Column, rows: Uint32Array, task: Task, classes?: string[]): Float64Array {
  const out = new Float64Array(rows.length);
  if (task === "regression") {
    if (col.kind !== "numeric") {
      throw new TrainingError(`target "${col.name}" holds text but the task is regression`, { path: col.name, hint: "use a classification task or a numeric target" });
    }
    for (let j = 0; j < rows.length; j++) {
      const v = col.values[rows[j]];
      if (!Number.isFinite(v)) throw badTarget(col, v);
      out[j] = v;
    }
    return out;
  }
  const index = new Map(classes!.map((c, i) => [c, i]));
  for (let j = 0; j < rows.length; j++) {
    const v = labelAt(col, rows[j]);
    const k = v === null ? undefined : index.get(v);
    if (k === undefined) {
      if (v === null) throw badTarget(col, null);
      throw new ValidationError(`target "${col.name}" at row ${rows[j]} is "${v}", not a class of the model (${classes!.join(", ")})`, {
        path: col.name,
        hint: "evaluate on rows whose labels the model knows",
      });
    }
    out[j] = k;
  }
  return out;
}

/**
 * A target without a value (or an infinite one), naming the frame's first such rows (0-based, over every row), not
 * the first of whichever rows were being encoded: a fold's train rows skip the test rows, so "row 50" hid row 0.
 */
function badTarget(col: Column, v: unknown): TrainingError {
  const missing = v === null || Number.isNaN(v);
  const bad = (i: number) => (col.kind === "numeric" ? (missing ? Number.isNaN(col.values[i]) : col.values[i] === v) : col.values[i] === null);
  const first: number[] = [];
  let count = 0;
  for (let i = 0; i < col.values.length; i++) if (bad(i) && count++ < 5) first.push(i);
  const rows = `row${count === 1 ? "" : "s"} ${first.join(", ")}${count > first.length ? `, … (${count} rows)` : ""}`;
  return new TrainingError(`target "${col.name}" is ${missing ? "missing" : String(v)} at ${rows} (0-based)`, {
    path: col.name,
    hint: "leave rows without a target out of the training data (millrace train does so itself; in a project, filter them in the dataset's SQL or add a not_null check on the target)",
  });
}
