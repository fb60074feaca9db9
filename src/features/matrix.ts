// The learner-facing data: columns after the feature pipeline (numeric values or category codes), no strings.

export type FeatureColumn =
  /** NaN = missing (kept only when the pipeline does not impute, for learners that handle it). */
  | { name: string; kind: "numeric"; values: Float64Array }
  /** Codes 0..levels-1 of the training categories; -1 = missing or unseen. */
  | { name: string; kind: "categorical"; codes: Int32Array; levels: number };

export interface FeatureMatrix {
  nRows: number;
  columns: FeatureColumn[];
}

/** Rows `rows` of a matrix (a gather; columns are copied). */
export function takeRows(m: FeatureMatrix, rows: Uint32Array): FeatureMatrix {
  const columns = m.columns.map((c): FeatureColumn => {
    if (c.kind === "numeric") {
      const v = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) v[i] = c.values[rows[i]];
      return { name: c.name, kind: "numeric", values: v };
    }
    const codes = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) codes[i] = c.codes[rows[i]];
    return { name: c.name, kind: "categorical", codes, levels: c.levels };
  });
  return { nRows: rows.length, columns };
}

/** Number of model inputs once categoricals are one-hot expanded (what a linear model sees). */
export function expandedWidth(m: FeatureMatrix): number {
  let w = 0;
  for (const c of m.columns) w += c.kind === "numeric" ? 1 : c.levels;
  return w;
}
