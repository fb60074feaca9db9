// `millrace init`: scaffolds a project a user can run at once and then make their own.
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import type { Task } from "../records.js";
import { PROJECT_FILE } from "./load-project.js";

/** The sample lives in its own source and folder, so it never merges with the user's files in data/landing/. */
const SAMPLE_SOURCE = "sample";
const SAMPLE_FILE = "data/sample/sample.csv";

/** The gate's threshold is on the metric the task measures (rmse for regression), so a fresh project can promote. */
const GATE: Record<Task, string> = {
  binary: "min: { roc_auc: 0.7 }",
  multiclass: "min: { accuracy: 0.6 }",
  // rmse is in the target's units: the sample's target spans about 0-35.
  regression: "max: { rmse: 4.0 }      # in the target's units: set a bound that fits your data",
};

const DATASET: Record<Task, string> = {
  binary: `  task: binary                 # binary | multiclass | regression (then change the gate's metric too)
  positive: "yes"
  split: { test_fraction: 0.2, seed: 42, stratify: true }`,
  multiclass: `  task: multiclass             # binary | multiclass | regression (then change the gate's metric too)
  split: { test_fraction: 0.2, seed: 42, stratify: true }`,
  regression: `  task: regression             # binary | multiclass | regression (then change the gate's metric too)
  split: { test_fraction: 0.2, seed: 42 }`,
};

/** Explicit learners a user can list instead of auto (the same for every task: each picks its own loss). */
const EXPLICIT: Record<Task, string> = {
  binary: "logistic_regression",
  multiclass: "logistic_regression",
  regression: "linear_regression",
};

/**
 * A new project trains `auto`: a small portfolio searched by CV on the train rows within a time budget, the best kept
 * and every candidate recorded as a child run. The comment says how to list explicit learners instead.
 */
const CANDIDATES = (task: Task) => `    # auto tries a small portfolio (a linear model, GBDTs, forests, a blend) by cross-validation on the train rows,
    # keeps the best and records every candidate as a child run (millrace runs --all). time_budget_s bounds the wall
    # time of the whole candidate: split evenly over the cv_folds CV fits and the final fit.
    # To pick learners yourself, list them instead, e.g.:
    #   - { name: ${EXPLICIT[task] === "linear_regression" ? "linear" : "logistic"}, model: ${EXPLICIT[task]} }
    #   - { name: gbdt, model: gbdt, params: { n_estimators: 300 } }
    - { name: auto, model: auto, params: { time_budget_s: 60 } }`;

const YAML = (name: string, task: Task) => `# ${name}: a Millrace project. Run it with: millrace run
#
# It starts on a bundled sample, which lives in its own source "${SAMPLE_SOURCE}" (${path.dirname(SAMPLE_FILE)}/ → bronze.${SAMPLE_SOURCE}),
# never mixed with your files. To train on your data:
#   1. drop CSV or Parquet files into data/landing/ and uncomment the "raw" source below (→ bronze.raw);
#   2. change the ref in models/silver/clean.sql to 'bronze.raw' and set dataset.target / dataset.task;
#   3. delete the "${SAMPLE_SOURCE}" source and the ${path.dirname(SAMPLE_FILE)}/ folder.
name: ${name}

sources:
  - name: ${SAMPLE_SOURCE}               # the bundled sample → bronze.${SAMPLE_SOURCE}; delete once your data is in
    path: ${path.dirname(SAMPLE_FILE)}
    pattern: "*.csv"
  # - name: raw                # your files → bronze.raw
  #   path: data/landing
  #   pattern: "*.{csv,parquet}"

models: models                 # models/silver/*.sql, models/gold/*.sql; wire them with {{ ref('...') }}

checks:
  silver.clean:
    - { rule: not_null, column: label }

dataset:
  table: gold.training
  target: label
${DATASET[task]}

train:
  cv_folds: 5
  candidates:
${CANDIDATES(task)}

registry:
  model: ${name}
  gate:
    ${GATE[task]}

serve:
  port: 8080
`;

const SILVER = `-- Clean and type the raw rows. Every model is a SELECT; refs wire the DAG.
-- It reads the bundled sample; for your own files change the ref below to 'bronze.raw' (the "raw" source in millrace.yaml).
select * exclude (_source_file, _ingested_at, _batch_id)
from {{ ref('bronze.${SAMPLE_SOURCE}') }}
where label is not null
`;

const GOLD = `-- The table the model learns from: one row per example, features + label.
select *
from {{ ref('silver.clean') }}
`;

/** A small, learnable sample so a fresh project runs end to end: the label grows with x1 + noise. */
function sample(task: Task): string {
  const rows = ["x1,x2,color,label"];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const colors = ["red", "green", "blue"];
  for (let i = 0; i < 400; i++) {
    const x1 = +(rand() * 10).toFixed(2);
    const x2 = +(rand() * 5).toFixed(2);
    const color = colors[i % 3];
    const score = x1 + (color === "red" ? 2 : 0) + (rand() - 0.5) * 4;
    const label = task === "binary" ? (score > 6 ? "yes" : "no")
      : task === "multiclass" ? (score > 8 ? "high" : score > 4 ? "mid" : "low")
      : (2 * score + x2).toFixed(2);
    rows.push(`${x1},${x2},${color},${label}`);
  }
  return rows.join("\n") + "\n";
}

export interface InitResult {
  dir: string;
  task: Task;
  files: string[];
  /** Where the sample lives, and that it is a source of its own. */
  sample: { source: string; path: string; table: string };
  /** What to do next, in the words the CLI prints. */
  notes: string[];
}

export function initProject(dir: string, opts: { task?: Task } = {}): InitResult {
  const task = opts.task ?? "binary";
  if (!(task in GATE)) throw new ConfigError(`unknown task "${task}"`, { path: "--task", hint: "use binary, multiclass or regression" });
  const abs = path.resolve(dir);
  if (fs.existsSync(path.join(abs, PROJECT_FILE))) {
    throw new ConfigError(`${path.join(abs, PROJECT_FILE)} already exists`, { hint: "choose an empty folder, or run the project: millrace run " + dir });
  }
  const name = path.basename(abs).replace(/[^A-Za-z0-9_]/g, "_").replace(/^(?=\d)/, "p_") || "project";
  const files: [string, string][] = [
    [PROJECT_FILE, YAML(name, task)],
    ["models/silver/clean.sql", SILVER],
    ["models/gold/training.sql", GOLD],
    [SAMPLE_FILE, sample(task)],
    ["data/landing/.gitkeep", ""],
    [".gitignore", ".millrace/\n"],
  ];
  for (const [rel, text] of files) {
    const file = path.join(abs, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return {
    dir: abs,
    task,
    files: files.map(([rel]) => rel),
    sample: { source: SAMPLE_SOURCE, path: SAMPLE_FILE, table: `bronze.${SAMPLE_SOURCE}` },
    notes: [
      `the sample is its own source "${SAMPLE_SOURCE}" (${SAMPLE_FILE} → bronze.${SAMPLE_SOURCE}); it never mixes with your files`,
      `your data: drop files into data/landing/, uncomment the "raw" source in ${PROJECT_FILE}, point models/silver/clean.sql at ref('bronze.raw'), then delete the sample source`,
      `the gate checks ${GATE[task].replace(/\s+#.*$/, "")} (task: ${task})`,
    ],
  };
}
