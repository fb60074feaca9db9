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
 * left out with the rest of them). A number out of range or given twice is refused, naming them all: a repeated
 * number once counted twice as a test row and fewer train rows than the file had.
 */
export function readTestRows(file: string, fileRows: number, fileRow: Uint32Array): Uint32Array {
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  const frameRow = new Int32Array(fileRows).fill(-1);
  fileRow.forEach((r, i) => (frameRow[r] = i));
  const firstLine = new Map<number, number>();
  const repeated: string[] = [];
  const outside: string[] = [];
  const rows: number[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === "") return;
    const n = Number(l.trim());
    if (!Number.isInteger(n) || n < 0 || n >= fileRows) return void outside.push(`line ${i + 1}: "${l.trim()}"`);
    const seen = firstLine.get(n);
    if (seen !== undefined) return void repeated.push(`${n} (lines ${seen} and ${i + 1})`);
    firstLine.set(n, i + 1);
    if (frameRow[n] >= 0) rows.push(frameRow[n]);
  });
  const name = path.basename(file);
  if (outside.length) {
    throw new ValidationError(`${name}: ${listed(outside)} ${outside.length === 1 ? "is not a data-row number" : "are not data-row numbers"} in 0..${fileRows - 1}`, {
      path: "--test-rows",
      hint: `write one 0-based data-row number a line (the first row after the header is 0; the file has ${fileRows} data rows)`,
    });
  }
  if (repeated.length) {
    throw new ValidationError(`${name}: data row${repeated.length === 1 ? "" : "s"} ${listed(repeated)} ${repeated.length === 1 ? "is" : "are"} listed twice`, {
      path: "--test-rows",
      hint: "list each held-out row once (e.g. sort -un the file)",
    });
  }
  return Uint32Array.from(rows);
}

/** The first few of a list, then how many more. */
function listed(items: string[]): string {
  return `${items.slice(0, SHOWN).join(", ")}${items.length > SHOWN ? ` and ${items.length - SHOWN} more` : ""}`;
}
