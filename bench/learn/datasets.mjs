// The benchmark data sets: where each CSV lives, its target and task, as the peers' harness runs them.
import { existsSync } from "node:fs";
import { join } from "node:path";

const SHARED = new URL("../../../shared/data/", import.meta.url).pathname;
/** Built by ../shared/bench/make-datasets.sh (fertility, flights_3m) or by bench/learn/make-synthetic.py. */
const BUILT = [process.env.MILLRACE_BENCH_DATA, "/tmp/millrace-data", "/tmp/bench-data", new URL("../out/", import.meta.url).pathname].filter(Boolean);

export const DATASETS = [
  { name: "wa_churn", file: "wa_churn.csv", target: "churn", task: "binary", positive: "Yes", size: "small" },
  { name: "credit_data", file: "credit_data.csv", target: "Status", task: "binary", positive: "bad", size: "small" },
  { name: "breast_cancer", file: "breast_cancer.csv", target: "target", task: "binary", positive: "0", size: "small" },
  { name: "shuttle", file: "shuttle.csv", target: "Class", task: "multiclass", size: "small" },
  { name: "diamonds", file: "diamonds.csv", target: "price", task: "regression", size: "small" },
  { name: "cps1988", file: "cps1988.csv", target: "wage", task: "regression", size: "small" },
  // High-cardinality categoricals (issue 11): a seeded 100k-row sample of flights_3m (origin 226 / destination 228
  // levels; BSD-3) and InstEval ratings with student (2,972) and lecturer (1,128) ids as categories (read from ../shared).
  { name: "flights_100k", file: "flights_100k.csv", target: "delayed15", task: "binary", positive: "1", size: "cat", build: "flights_100k" },
  { name: "insteval", file: "insteval_ratings.csv", target: "y", task: "regression", cat: ["s", "d", "dept"], size: "cat" },
  // Sets a new user might bring, with twists (ids, dates, constant and noise columns, text labels, zero targets, integer
  // class codes): built by bench/learn/make-twists.py from scikit-learn's bundled data (BSD-3) and ../shared/data.
  { name: "twist_diabetes", file: "twist_diabetes.csv", target: "progression", task: "regression", drop: ["patient_id", "visit_date"], size: "twists", build: "twists" },
  { name: "twist_wine", file: "twist_wine.csv", target: "cultivar", task: "multiclass", size: "twists", build: "twists" },
  { name: "twist_digits", file: "twist_digits.csv", target: "is_high", task: "binary", positive: "yes", size: "twists", build: "twists" },
  { name: "twist_credit", file: "twist_credit.csv", target: "Status", task: "binary", positive: "bad", drop: ["row_id"], size: "twists", build: "twists" },
  { name: "twist_cps_bonus", file: "twist_cps_bonus.csv", target: "bonus", task: "regression", size: "twists", build: "twists" },
  { name: "twist_insteval20k", file: "twist_insteval20k.csv", target: "y", task: "regression", cat: ["s", "d", "studage", "lectage", "service", "dept"], size: "twists", build: "twists" },
  { name: "twist_iris", file: "twist_iris.csv", target: "target", task: "multiclass", size: "twists", build: "twists" },
  { name: "fertility", file: "fertility.csv", target: "morekids", task: "binary", positive: "yes", size: "medium" },
  { name: "synthetic_1m", file: "synthetic_1m.csv", target: "target", task: "binary", positive: "1", size: "big", synthetic: 1000000 },
  { name: "flights_3m", file: "flights_3m.csv", target: "delayed15", task: "binary", positive: "1", drop: ["delay"], size: "big" },
];

/** Path of a data set's CSV, or null when it has not been built on this machine. */
export function locate(ds) {
  for (const dir of [SHARED, ...BUILT]) {
    const p = join(dir, ds.file);
    if (existsSync(p)) return p;
  }
  return null;
}
