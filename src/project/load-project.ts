// Loads millrace.yaml: YAML syntax and schema errors come back with file:line:column and the field path.
import fs from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../errors.js";
import { metricsOfTask } from "../learn/metric-registry.js";
import { projectSchema, type ProjectConfig, type ProjectInput } from "./config.js";
import { describeIssues, unwrapUnions } from "./config-issues.js";

export const PROJECT_FILE = "millrace.yaml";

export interface Project {
  /** Absolute project folder. */
  dir: string;
  config: ProjectConfig;
  /** Resolved locations of the project's state. */
  paths: { lake: string; metadata: string; artifacts: string; models: string; predictions: string; state: string };
}

export function loadProject(dirOrFile = "."): Project {
  const file = dirOrFile.endsWith(".yaml") || dirOrFile.endsWith(".yml") ? dirOrFile : path.join(dirOrFile, PROJECT_FILE);
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) {
    throw new ConfigError(`no ${PROJECT_FILE} at ${path.dirname(abs)}`, {
      hint: `create a project with: millrace init <dir>, or point at one: millrace run examples/churn`,
    });
  }
  const text = fs.readFileSync(abs, "utf8");
  return projectFromYaml(text, abs);
}

export function projectFromYaml(text: string, file: string): Project {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    // The library's reason ends "at line L, column C:" before its quote of the text: the position is already in front,
    // and the quote is ours (the line before, where the mistake often is, the line, a caret under the column).
    const reason = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    const quoted = pos ? quoteLines(text, pos.line, pos.col) : "";
    throw new ConfigError(`${path.basename(file)}:${pos?.line ?? "?"}:${pos?.col ?? "?"} invalid YAML: ${reason}${quoted}`, {
      path: file,
    });
  }
  const input: unknown = doc.toJS();
  const parsed = projectSchema.safeParse(input);
  if (!parsed.success) {
    const lines = describeIssues(parsed.error.issues, doc, lineCounter, file, input);
    throw new ConfigError(`${path.basename(file)} is not valid:\n  ${lines.join("\n  ")}`, {
      path: file,
      hint: "fix the fields above; docs/config.md lists every key of millrace.yaml",
    });
  }
  return projectFromConfig(parsed.data, path.dirname(file));
}

function quoteLines(text: string, line: number, col: number): string {
  const all = text.split(/\r?\n/);
  const width = String(line).length;
  const shown = [line - 1, line].filter((n) => n >= 1 && n <= all.length).map((n) => `\n  ${String(n).padStart(width)} | ${all[n - 1]}`);
  return `${shown.join("")}\n  ${" ".repeat(width)} | ${" ".repeat(col - 1)}^`;
}

/** The TypeScript way to say what millrace.yaml says. */
export function definePipeline(input: ProjectInput, dir = "."): Project {
  const parsed = projectSchema.safeParse(input);
  if (!parsed.success) {
    const lines = unwrapUnions(parsed.error.issues, input).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`pipeline definition is not valid:\n  ${lines.join("\n  ")}`);
  }
  return projectFromConfig(parsed.data, dir);
}

/** A URL scheme; two letters at least, so a Windows drive (C:\\data) reads as a path. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;
const POSTGRES = /^postgres(ql)?:\/\//;

/**
 * Refuses a store location no adapter can open, instead of treating it as a folder name (`s3://b/lake` used to
 * become a local folder named `s3:`). `key` is the YAML key or the environment variable that set it.
 */
function checkStoreLocation(kind: "lake" | "metadata" | "artifacts", value: string, key: string): void {
  const scheme = SCHEME.exec(value)?.[1].toLowerCase();
  if (scheme === undefined) return;
  if (kind === "metadata" && (scheme === "sqlite" || POSTGRES.test(value))) return;
  if (kind === "artifacts" && /^s3:\/\/[^/]+/.test(value)) return;
  const hint = {
    lake: "the lake is a folder: a path relative to the project or an absolute path (a shared volume for several workers); tables on S3 are not supported yet",
    metadata: "use a SQLite file path (relative to the project), sqlite:/path/meta.db, or postgres://user@host:5432/db",
    artifacts: "use a folder path (relative to the project) or s3://bucket/prefix",
  }[kind];
  throw new ConfigError(`${key}: "${value}" is not a supported ${kind} location (${scheme}: URLs are not)`, { path: key, hint });
}

/** Recommenders report ranking metrics at K = 10 (registered for their direction) and, for ratings, rating errors. */
const RANKING_METRICS = ["precision_at_10", "recall_at_10", "ndcg_at_10", "map_at_10", "hit_rate_at_10", "coverage_at_10"];

/** The test metrics each task reports, from the metric registry (learn/metric-registry.ts). */
export const TASK_METRICS: Record<ProjectConfig["dataset"]["task"], string[]> = {
  binary: metricsOfTask("binary"),
  multiclass: metricsOfTask("multiclass"),
  regression: metricsOfTask("regression"),
  recommendation: ["rmse", "mae", ...RANKING_METRICS],
};

/** What a project's candidates are measured on: implicit recommendation data has no rating errors; ranking at dataset.k. */
function measuredMetrics(config: ProjectConfig): string[] {
  const ds = config.dataset;
  if (ds.task !== "recommendation") return TASK_METRICS[ds.task];
  const ranking = RANKING_METRICS.map((m) => m.replace(/_10$/, `_${ds.k}`));
  return ds.rating === "none" ? ranking : ["rmse", "mae", ...ranking];
}

/**
 * A gate threshold or ranking metric the task never measures would fail every candidate ("roc_auc was not
 * measured"), so a regression project would promote nothing: refuse it when the project loads, naming the key.
 */
function checkMetricsOfTask(config: ProjectConfig): void {
  const task = config.dataset.task;
  const measured = measuredMetrics(config);
  const used: [string, string][] = [
    ...Object.keys(config.registry.gate.min).map((m): [string, string] => [`registry.gate.min.${m}`, m]),
    ...Object.keys(config.registry.gate.max).map((m): [string, string] => [`registry.gate.max.${m}`, m]),
    ...(config.train.metric !== undefined ? [["train.metric", config.train.metric] as [string, string]] : []),
  ];
  for (const [key, metric] of used) {
    if (measured.includes(metric)) continue;
    const example = task === "regression" ? "registry.gate.max: { rmse: ... }" : task === "recommendation" ? "registry.gate.min: { ndcg_at_10: 0.1 }" : "registry.gate.min: { roc_auc: 0.7 }";
    throw new ConfigError(`${key}: a ${task} task does not measure ${metric}`, {
      path: key,
      hint: `${task} measures ${measured.join(", ")}; e.g. ${example}`,
    });
  }
}

function projectFromConfig(config: ProjectConfig, dirIn: string): Project {
  const dir = path.resolve(dirIn);
  const state = path.join(dir, ".millrace");
  const metadataEnv = process.env.MILLRACE_METADATA_URL;
  const artifactsEnv = process.env.MILLRACE_ARTIFACTS_URL;
  checkMetricsOfTask(config);
  checkStoreLocation("lake", config.store.lake, "store.lake");
  checkStoreLocation("metadata", metadataEnv ?? config.store.metadata, metadataEnv !== undefined ? "MILLRACE_METADATA_URL" : "store.metadata");
  checkStoreLocation("artifacts", artifactsEnv ?? config.store.artifacts, artifactsEnv !== undefined ? "MILLRACE_ARTIFACTS_URL" : "store.artifacts");
  const storeMetadata = config.store.metadata;
  const metadata = metadataEnv ?? (POSTGRES.test(storeMetadata) ? storeMetadata
    // sqlite:<file> is relative to the project too, like a plain file path.
    : storeMetadata.startsWith("sqlite:") ? `sqlite:${path.resolve(dir, storeMetadata.slice("sqlite:".length))}`
    : path.resolve(dir, storeMetadata));
  return {
    dir,
    config,
    paths: {
      state,
      lake: path.resolve(dir, config.store.lake),
      metadata,
      artifacts: artifactsEnv ?? (config.store.artifacts.startsWith("s3://") ? config.store.artifacts : path.resolve(dir, config.store.artifacts)),
      models: path.resolve(dir, config.models),
      predictions: path.join(state, "predictions"),
    },
  };
}
