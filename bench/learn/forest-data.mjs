// A benchmark data set as the forest learners see it, split as the peers split it (forest-speed.mjs, forest-same.mjs).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readCsvFrame } from "./csv.mjs";
import { locate } from "./datasets.mjs";

const OUT = new URL("../out/", import.meta.url).pathname;

/**
 * The frame as the learner sees it: numeric columns as they are, text columns (and the set's `cat` columns) as
 * category codes; y per task (binary: 1 for the positive label; multiclass: the index of the sorted labels).
 */
export function matrix(ds) {
  const frame = readCsvFrame(locate(ds), ds.drop ?? []);
  const n = frame.columns[0].values.length;
  const columns = [];
  let y;
  let nClasses = 0;
  for (const c of frame.columns) {
    if (c.name === ds.target) {
      const classes = [...new Set(Array.from(c.values, String))].sort();
      if (ds.task === "regression") y = Float64Array.from(c.values);
      else if (ds.task === "binary") y = Float64Array.from(c.values, (v) => (String(v) === ds.positive ? 1 : 0));
      else y = Float64Array.from(c.values, (v) => classes.indexOf(String(v)));
      nClasses = ds.task === "regression" ? 0 : ds.task === "binary" ? 2 : classes.length;
      continue;
    }
    const values = ds.cat?.includes(c.name) ? Array.from(c.values, (v) => (v === null || Number.isNaN(v) ? null : String(v))) : c.values;
    if (values instanceof Float64Array) columns.push({ name: c.name, kind: "numeric", values: c.values });
    else {
      const levels = new Map();
      const codes = Int32Array.from(values, (v) => (v === null || v === undefined ? -1 : levels.get(v) ?? (levels.set(v, levels.size), levels.size - 1)));
      columns.push({ name: c.name, kind: "categorical", codes, levels: levels.size });
    }
  }
  const rowsFile = join(OUT, `${ds.name}.test-rows`);
  const isTest = new Uint8Array(n);
  if (existsSync(rowsFile)) for (const r of readFileSync(rowsFile, "utf8").trim().split("\n")) isTest[Number(r)] = 1;
  else for (let i = 0; i < n; i += 5) isTest[i] = 1;
  const take = (keep) => {
    const rows = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => isTest[i] === keep);
    const X = { nRows: rows.length, columns: columns.map((c) => (c.kind === "numeric" ? { ...c, values: Float64Array.from(rows, (r) => c.values[r]) } : { ...c, codes: Int32Array.from(rows, (r) => c.codes[r]) })) };
    return { X, y: Float64Array.from(rows, (r) => y[r]) };
  };
  return { train: take(0), test: take(1), nClasses };
}
