// An explanation as a prediction's answer carries it: per output, the base value, the raw score and the top-k
// contributions by size (the rest summed into `rest`, so base + contributions + rest = raw).

import type { Explanation } from "./tree-shap.js";

export interface OutputExplanation {
  /** The class explained (the positive class for binary), or "value" for regression. */
  output: string;
  /** What base + contributions add up to: "log-odds", "margin", "probability", "value"… */
  scale: string;
  base: number;
  raw: number;
  /** Largest |contribution| first; at most top-k columns. */
  contributions: { feature: string; value: number }[];
  /** Sum of the contributions left out by top-k (0 when none were). */
  rest: number;
}

/** Per row, one entry per explained output (`outputNames[k]`). */
export function explanationRows(e: Explanation, n: number, outputNames: string[], topK = Infinity): OutputExplanation[][] {
  const F = e.features.length;
  const K = e.outputs;
  const rows: OutputExplanation[][] = new Array(n);
  const order = Array.from({ length: F }, (_, f) => f);
  for (let i = 0; i < n; i++) {
    const per: OutputExplanation[] = [];
    for (let k = 0; k < K; k++) {
      const at = (i * K + k) * (F + 1);
      const v = e.values;
      let raw = v[at + F];
      for (let f = 0; f < F; f++) raw += v[at + f];
      order.sort((a, b) => Math.abs(v[at + b]) - Math.abs(v[at + a]) || a - b);
      const keep = order.slice(0, Math.min(F, topK));
      let rest = 0;
      for (let j = keep.length; j < F; j++) rest += v[at + order[j]];
      per.push({ output: outputNames[k], scale: e.scale, base: v[at + F], raw, contributions: keep.map((f) => ({ feature: e.features[f], value: v[at + f] })), rest });
    }
    rows[i] = per;
  }
  return rows;
}
