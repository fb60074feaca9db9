// The rows and columns `millrace train` learns from: --drop, --keep and --cat checked against the file's columns,
// rows without a target left out (and counted), --test-rows read against the file's data rows.
import fs from "node:fs";
import path from "node:path";
import { ValidationError } from "../../errors.js";
import { takeRows } from "../../flow/steps/dataset.js";
import { didYouMean } from "../../project/did-you-mean.js";
import type { Column, Frame } from "../../records.js";

/** "a, b ,c" -> ["a", "b", "c"]. */
export function columnList(option: string | undefined): string[] {
  return (option ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** Every column an option names must be in the file and not be the target; a usage error names the first that is not. */
export function checkColumns(flag: string, names: readonly string[], frame: Frame, target: string): void {
  const columns = frame.columns.map((c) => c.name);
  for (const n of names) {
    if (n === target) throw new ValidationError(`${flag} ${n}: "${n}" is the target`, { path: flag, hint: `the target is never a feature; leave it out of ${flag}` });
    if (!columns.includes(n)) throw new ValidationError(`${flag} ${n}: not a column${didYouMean(n, columns)}`, { path: flag, hint: `columns: ${columns.join(", ")}` });
  }
}

/** Numeric columns named by --cat become categories (ids, codes and zip codes are labels, not quantities). */
export function asCategorical(frame: Frame, names: readonly string[]): Frame {
  return {
    rowCount: frame.rowCount,
    columns: frame.columns.map((c): Column => {
      if (!names.includes(c.name) || c.kind !== "numeric") return c;
      return { name: c.name, kind: "categorical", values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : String(v))) };
    }),
  };
}

export interface LabelledRows {
  frame: Frame;
  /** The file's data row (0-based) of each frame row. */
  fileRow: Uint32Array;
  /** Data rows left out because the target is missing there: how many, and the first few. */
  missing: number;
  firstMissing: number[];
}

const SHOWN = 5;

/** The rows whose target has a value; a file with none is refused. */
export function labelledRows(frame: Frame, target: string, file: string): LabelledRows {
  const col = frame.columns.find((c) => c.name === target)!;
  const n = frame.rowCount;
  const keep: number[] = [];
  const firstMissing: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = col.values[i];
    if (v === null || (typeof v === "number" && Number.isNaN(v))) {
      if (firstMissing.length < SHOWN) firstMissing.push(i);
    } else keep.push(i);
  }
  const fileRow = Uint32Array.from(keep);
  const missing = n - keep.length;
  if (keep.length === 0) {
    throw new ValidationError(`"${target}" has no value in any of the ${n} rows of ${path.basename(file)}: nothing to learn from`, { path: "--target", hint: "choose the column to predict with --target" });
  }
  if (missing === 0) return { frame, fileRow, missing, firstMissing };
  return { frame: takeRows(frame, fileRow), fileRow, missing, firstMissing };
}

/** "data rows 0, 50, 100, …" (0-based, as --test-rows numbers them) for a message that has said how many. */
export function rowsSaid(first: number[], count: number): string {
  return `data row${count === 1 ? "" : "s"} ${first.join(", ")}${count > first.length ? ", …" : ""}`;
}

/**
 * --test-rows: 0-based data-row numbers of the file, one a line, as frame rows (a held-out row without a target is
 * left out with the rest of them).
 */
export function readTestRows(file: string, fileRows: number, fileRow: Uint32Array): Uint32Array {
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const frameRow = new Int32Array(fileRows).fill(-1);
  fileRow.forEach((r, i) => (frameRow[r] = i));
  const rows: number[] = [];
  lines.forEach((l, i) => {
    const n = Number(l.trim());
    if (!Number.isInteger(n) || n < 0 || n >= fileRows) {
      throw new ValidationError(`${path.basename(file)} line ${i + 1}: "${l}" is not a data-row number in 0..${fileRows - 1}`);
    }
    if (frameRow[n] >= 0) rows.push(frameRow[n]);
  });
  return Uint32Array.from(rows);
}
