// Reads a model version's prediction log back — Parquet parts plus the NDJSON not compacted yet — as predictions or a Frame.
import type { Frame, Prediction, PredictionOutput } from "../records.js";
import { ColumnBuilder, kindOf, leafValue, OUTPUT_COLUMNS, type FrameOptions } from "./log-frame.js";
import { walkSources, type ReadLogOptions, type Want } from "./log-sources.js";
import { leafKey, readLeaf, type DecodedLeaf, type ParquetFile } from "./parquet-read.js";
import { versionDir } from "./prediction-log.js";

export { OUTPUT_COLUMNS, predictionsToFrame, type FrameOptions } from "./log-frame.js";
export type { ReadLogOptions } from "./log-sources.js";

export interface LoggedPredictions {
  predictions: Prediction[];
  /** Lines that were not valid JSON predictions (a crash mid-write leaves at most one per file). */
  skippedLines: number;
}

/** The Prediction of each (selected) row of a part. */
function partPredictions(part: ParquetFile, model: string, version: number, rows: Int32Array | null, visit: (p: Prediction) => void): void {
  const leaves = [...part.leaves.values()].map((l) => ({ path: l.path, d: readLeaf(part, leafKey(l.path)) }));
  const pick = (name: string): DecodedLeaf | undefined => leaves.find((l) => l.path.length === 1 && l.path[0] === name)?.d;
  const [id, at, alias, latency] = ["id", "at", "alias", "latency_ms"].map(pick);
  const count = rows ? rows.length : part.rows;
  for (let k = 0; k < count; k++) {
    const i = rows ? rows[k] : k;
    const inputs: Record<string, unknown> = {};
    const output: Record<string, unknown> = {};
    for (const { path, d } of leaves) {
      if (path[0] !== "inputs" && path[0] !== "output") continue;
      const v = leafValue(d, i);
      if (v === null) continue;
      if (path[0] === "inputs") inputs[path[1]] = v;
      else if (path.length === 3) ((output.probabilities ??= {}) as Record<string, unknown>)[path[2]] = v;
      else output[path[1]] = v;
    }
    const t = at ? (leafValue(at, i) as number | null) : null;
    visit({
      id: String(id ? leafValue(id, i) : ""),
      model,
      version,
      alias: alias ? (leafValue(alias, i) as string | null) : null,
      inputs,
      output: output as PredictionOutput,
      latencyMs: latency ? ((leafValue(latency, i) as number | null) ?? NaN) : NaN,
      at: t === null ? "" : new Date(t).toISOString(),
    });
  }
}

/** Calls `visit` for every logged prediction of a version in file order (request lines expanded); returns the skips. */
export async function forEachPrediction(root: string, model: string, version: number, opts: Pick<ReadLogOptions, "since" | "until">, visit: (p: Prediction) => void): Promise<{ skippedLines: number }> {
  const skippedLines = await walkSources(versionDir(root, model, version), opts, () => true, (part, rows) => partPredictions(part, model, version, rows, visit), visit);
  return { skippedLines };
}

/** Every logged prediction of one model version as objects (for joins and retraining; use readLoggedFrame for drift). */
export async function readPredictions(root: string, model: string, version: number, opts: ReadLogOptions = {}): Promise<LoggedPredictions> {
  const out: Prediction[] = [];
  const { skippedLines } = await forEachPrediction(root, model, version, opts, (p) => void out.push(p));
  const kept = opts.limit !== undefined && out.length > opts.limit ? out.slice(out.length - opts.limit) : out;
  return { predictions: kept, skippedLines };
}

/** The logged inputs of one model version as a Frame, ready for driftReport against the training reference. */
export async function readLoggedFrame(root: string, model: string, version: number, opts: ReadLogOptions & FrameOptions = {}): Promise<Frame & { skippedLines: number }> {
  const likeKinds = new Map(opts.like?.columns.map((c) => [c.name, c.kind]) ?? []);
  const declared = opts.signature?.inputs.map((f) => new ColumnBuilder(f.name, kindOf(f.name, opts, likeKinds)));
  // Without a signature the columns are the union of the names seen; rows before a name first appears get null.
  const inferred = new Map<string, ColumnBuilder>();
  const inputColumn = (name: string, rows: number): ColumnBuilder => {
    let b = inferred.get(name);
    if (!b) {
      b = new ColumnBuilder(name, likeKinds.get(name) ?? "infer");
      for (let i = 0; i < rows; i++) b.push(null);
      inferred.set(name, b);
    }
    return b;
  };
  const positive = opts.signature?.output.positive;
  const score = opts.includeOutput ? new ColumnBuilder(OUTPUT_COLUMNS.score, "numeric") : null;
  const label = opts.includeOutput ? new ColumnBuilder(OUTPUT_COLUMNS.label, "categorical") : null;
  let rows = 0;
  let labelled = false;
  const onPart = (part: ParquetFile, sel: Int32Array | null) => {
    const n = sel ? sel.length : part.rows;
    if (declared) for (const b of declared) b.pushLeaf(readLeaf(part, leafKey(["inputs", b.name])), sel);
    else {
      for (const l of part.leaves.values()) if (l.path[0] === "inputs" && l.path.length === 2) inputColumn(l.path[1], rows);
      for (const b of inferred.values()) b.pushLeaf(readLeaf(part, leafKey(["inputs", b.name]), "string"), sel);
    }
    if (score && label) {
      const value = part.leaves.has(leafKey(["output", "value"]));
      score.pushLeaf(readLeaf(part, leafKey(value || positive === undefined ? ["output", "value"] : ["output", "probabilities", positive])), sel);
      const l = readLeaf(part, leafKey(["output", "label"]), "string");
      label.pushLeaf(l, sel);
      if (part.leaves.has(leafKey(["output", "label"]))) labelled = true;
    }
    rows += n;
  };
  const onPrediction = (p: Prediction) => {
    if (declared) for (const b of declared) b.push(p.inputs[b.name]);
    else {
      for (const name in p.inputs) inputColumn(name, rows);
      for (const b of inferred.values()) b.push(p.inputs[b.name]);
    }
    if (score && label) {
      const o = p.output;
      score.push(o.value !== undefined ? o.value : positive !== undefined ? o.probabilities?.[positive] : NaN);
      label.push(o.label);
      if (o.label !== undefined) labelled = true;
    }
    rows++;
  };
  const reserve = (n: number) => {
    for (const b of [...(declared ?? []), ...(score ? [score] : [])]) b.reserve(n);
  };
  const names = declared ? new Set(declared.map((b) => b.name)) : null;
  const want: Want = ({ path }) =>
    (path[0] === "inputs" && (names === null || names.has(path[1]))) ||
    (score !== null && path[0] === "output" && (path[1] !== "probabilities" || path[2] === positive));
  const skippedLines = await walkSources(versionDir(root, model, version), opts, want, onPart, onPrediction, reserve);
  const from = opts.limit !== undefined && rows > opts.limit ? rows - opts.limit : 0;
  const builders = [...(declared ?? inferred.values()), ...(score ? [score] : []), ...(label && labelled ? [label] : [])];
  return { rowCount: rows - from, columns: builders.map((b) => b.build(from)), skippedLines };
}
