// A small real Predictor for tests: logistic regression over declared numeric and one-hot fields (real math, no canned answers).
import type { PredictionOutput, Predictor, Provenance, Signature } from "../../records.js";
import type { ServedModel } from "../types.js";

export interface LogisticSpec {
  intercept: number;
  /** Weight per numeric field; a null/missing value contributes `impute * weight`. */
  numeric: Record<string, { weight: number; impute: number }>;
  /** Weight per category of a string field (absent category → 0). */
  categorical: Record<string, Record<string, number>>;
  /** Weight when a boolean field is true. */
  boolean?: Record<string, number>;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export class LogisticPredictor implements Predictor {
  constructor(
    readonly signature: Signature,
    private readonly spec: LogisticSpec,
  ) {}

  /** The positive-class probability of one record: exported so tests can compute the expected answer independently. */
  probability(r: Record<string, unknown>): number {
    let z = this.spec.intercept;
    for (const [name, { weight, impute }] of Object.entries(this.spec.numeric)) {
      const v = r[name];
      z += weight * (typeof v === "number" ? v : impute);
    }
    for (const [name, table] of Object.entries(this.spec.categorical)) z += table[String(r[name])] ?? 0;
    for (const [name, w] of Object.entries(this.spec.boolean ?? {})) z += r[name] === true ? w : 0;
    return sigmoid(z);
  }

  predictRecords(records: ReadonlyArray<Record<string, unknown>>): PredictionOutput[] {
    const [neg, pos] = this.signature.output.classes ?? ["No", "Yes"];
    return records.map((r) => {
      const p = this.probability(r);
      return { label: p >= 0.5 ? pos : neg, probabilities: { [neg]: 1 - p, [pos]: p } };
    });
  }
}

export const churnSignature: Signature = {
  inputs: [
    { name: "tenure", type: "integer", nullable: false },
    { name: "monthly_charges", type: "number", nullable: false },
    { name: "total_charges", type: "number", nullable: true },
    { name: "contract", type: "string", nullable: false, categories: ["Month-to-month", "One year", "Two year"], strict: true },
    { name: "payment_method", type: "string", nullable: true, categories: ["Electronic check", "Mailed check"], strict: false },
    { name: "paperless_billing", type: "boolean", nullable: false },
  ],
  output: { task: "binary", classes: ["No", "Yes"], positive: "Yes" },
};

/** A churn-shaped model whose weights differ per version, so tests can tell which version answered. */
export function churnModel(version = 1, alias: string | null = "production"): ServedModel {
  const predictor = new LogisticPredictor(churnSignature, {
    intercept: -1 + 0.25 * (version - 1),
    numeric: { tenure: { weight: -0.05, impute: 0 }, monthly_charges: { weight: 0.02, impute: 0 }, total_charges: { weight: -0.0002, impute: 1000 } },
    categorical: { contract: { "Month-to-month": 1.2, "One year": -0.3, "Two year": -1.5 }, payment_method: { "Electronic check": 0.4 } },
    boolean: { paperless_billing: 0.3 },
  });
  const provenance: Provenance = {
    model: "churn",
    version,
    alias,
    runId: `run-${version}`,
    datasetId: "ds-1",
    datasetHash: "sha256:abc",
    artifactUri: `file:///artifacts/churn/${version}/model.json`,
  };
  return { predictor, provenance };
}

export const goodRecord = (): Record<string, unknown> => ({
  tenure: 12,
  monthly_charges: 70.5,
  total_charges: 846,
  contract: "Month-to-month",
  payment_method: "Electronic check",
  paperless_billing: true,
});

/** A model source whose model a test can swap at any time. */
export function swappable(initial: ServedModel | null): { current(): ServedModel | null; set(m: ServedModel | null): void } {
  let m = initial;
  return { current: () => m, set: (x) => void (m = x) };
}

/**
 * Fits the churn-shaped logistic model by full-batch gradient descent on standardized numeric inputs (real training,
 * small enough for tests): used to retrain in the loop test.
 */
export function fitLogistic(records: ReadonlyArray<Record<string, unknown>>, labels: ReadonlyArray<string>, iterations = 400): LogisticSpec {
  const n = records.length;
  const numeric = ["tenure", "monthly_charges"];
  const contracts = ["Month-to-month", "One year", "Two year"];
  const mean = numeric.map((k) => records.reduce((s, r) => s + (r[k] as number), 0) / n);
  const sd = numeric.map((k, j) => Math.sqrt(records.reduce((s, r) => s + ((r[k] as number) - mean[j]) ** 2, 0) / n) || 1);
  // Design: [1, z(tenure), z(charges), contract one-hot (3), paperless].
  const X = records.map((r) => [1, ...numeric.map((k, j) => ((r[k] as number) - mean[j]) / sd[j]), ...contracts.map((c) => (r.contract === c ? 1 : 0)), r.paperless_billing === true ? 1 : 0]);
  const y = labels.map((l) => (l === "Yes" ? 1 : 0));
  const w = new Array(X[0].length).fill(0);
  for (let it = 0; it < iterations; it++) {
    const g = new Array(w.length).fill(0);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(X[i].reduce((s, x, k) => s + x * w[k], 0));
      for (let k = 0; k < w.length; k++) g[k] += (p - y[i]) * X[i][k];
    }
    for (let k = 0; k < w.length; k++) w[k] -= (0.5 * g[k]) / n + 1e-4 * w[k];
  }
  return {
    intercept: w[0] - (w[1] * mean[0]) / sd[0] - (w[2] * mean[1]) / sd[1],
    numeric: { tenure: { weight: w[1] / sd[0], impute: mean[0] }, monthly_charges: { weight: w[2] / sd[1], impute: mean[1] } },
    categorical: { contract: Object.fromEntries(contracts.map((c, k) => [c, w[3 + k]])) },
    boolean: { paperless_billing: w[6] },
  };
}
