// `millrace init`: scaffolds a project a user can run at once and then make their own.
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { PROJECT_FILE } from "./load-project.js";

const YAML = (name: string) => `# ${name}: a Millrace project. Drop CSV or Parquet files into data/landing/ and run: millrace run
name: ${name}

sources:
  - name: raw                  # files land in bronze.raw
    path: data/landing
    pattern: "*.{csv,parquet}"

models: models                 # models/silver/*.sql, models/gold/*.sql; wire them with {{ ref('...') }}

checks:
  silver.clean:
    - { rule: not_null, column: label }

dataset:
  table: gold.training
  target: label
  task: binary                 # binary | multiclass | regression
  positive: "yes"
  split: { test_fraction: 0.2, seed: 42, stratify: true }

train:
  cv_folds: 5
  candidates:
    - { name: logistic, model: logistic_regression }
    - { name: gbdt, model: gbdt }

registry:
  model: ${name}
  gate:
    min: { roc_auc: 0.7 }

serve:
  port: 8080
`;

const SILVER = `-- Clean and type the raw rows. Every model is a SELECT; refs wire the DAG.
select * exclude (_source_file, _ingested_at, _batch_id)
from {{ ref('bronze.raw') }}
where label is not null
`;

const GOLD = `-- The table the model learns from: one row per example, features + label.
select *
from {{ ref('silver.clean') }}
`;

const SAMPLE = (() => {
  // A small, learnable sample so a fresh project runs end to end: label = yes when x1 + noise is high.
  const rows = ["x1,x2,color,label"];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const colors = ["red", "green", "blue"];
  for (let i = 0; i < 400; i++) {
    const x1 = +(rand() * 10).toFixed(2);
    const x2 = +(rand() * 5).toFixed(2);
    const color = colors[i % 3];
    const score = x1 + (color === "red" ? 2 : 0) + (rand() - 0.5) * 4;
    rows.push(`${x1},${x2},${color},${score > 6 ? "yes" : "no"}`);
  }
  return rows.join("\n") + "\n";
})();

export function initProject(dir: string): { dir: string; files: string[] } {
  const abs = path.resolve(dir);
  if (fs.existsSync(path.join(abs, PROJECT_FILE))) {
    throw new ConfigError(`${path.join(abs, PROJECT_FILE)} already exists`, { hint: "choose an empty folder, or run the project: millrace run " + dir });
  }
  const name = path.basename(abs).replace(/[^A-Za-z0-9_]/g, "_").replace(/^(?=\d)/, "p_") || "project";
  const files: [string, string][] = [
    [PROJECT_FILE, YAML(name)],
    ["models/silver/clean.sql", SILVER],
    ["models/gold/training.sql", GOLD],
    ["data/landing/sample.csv", SAMPLE],
    [".gitignore", ".millrace/\n"],
  ];
  for (const [rel, text] of files) {
    const file = path.join(abs, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return { dir: abs, files: files.map(([rel]) => rel) };
}
