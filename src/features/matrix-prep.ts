// Impute and standard-scale the numeric columns of an already-built FeatureMatrix: lets a linear member of an
// ensemble train next to tree members on the tree pipeline's output (NaN kept, categories as codes).

import type { FeatureColumn, FeatureMatrix } from "./matrix.js";
import { applyNumeric, fitNumeric, type NumericState } from "./numeric.js";

export interface MatrixPrepState {
  /** Per column: its numeric transform, or null for categorical columns (codes pass through). */
  columns: (NumericState | null)[];
}

export function fitMatrixPrep(X: FeatureMatrix): MatrixPrepState {
  return { columns: X.columns.map((c) => (c.kind === "numeric" ? fitNumeric(c.name, c.values, undefined, "median", "standard") : null)) };
}

export function applyMatrixPrep(s: MatrixPrepState, X: FeatureMatrix): FeatureMatrix {
  const columns = X.columns.map((c, j): FeatureColumn => {
    const t = s.columns[j];
    return c.kind === "numeric" && t ? { name: c.name, kind: "numeric", values: applyNumeric(t, c.values) } : c;
  });
  return { nRows: X.nRows, columns };
}
