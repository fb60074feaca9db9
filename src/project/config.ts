// The millrace.yaml schema: one zod value gives the TypeScript type, validation and defaults.
import { z } from "zod";
import { ConfigError } from "../errors.js";
import { candidateProblems } from "../learn/candidate-check.js";
import { qualityRuleSchema } from "../quality/checks.js";
import { isRecommenderName, recommenderCandidateProblems } from "../recommend/candidate-check.js";
import { featureStoreSchema } from "./config-features.js";
import { alertTriggerProblems, orchestrationKeys } from "./config-pipelines.js";
import { duckdbTypeSchema } from "./duckdb-type.js";

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use letters, digits and _, starting with a letter");
const tableName = z.string().regex(/^(bronze|silver|gold)\.[A-Za-z_][A-Za-z0-9_]*$/, 'write tables as "<bronze|silver|gold>.<name>"');

const csvOptionsSchema = z.strictObject({
  delimiter: z.string().length(1).optional().describe("One character between fields (default: detected)."),
  header: z.boolean().optional().describe("Whether the first line names the columns (default: detected)."),
  quote: z.string().max(1).optional().describe("Quote character (default: detected)."),
  escape: z.string().max(1).optional().describe("Escape character inside quotes (default: detected)."),
  types: z.record(z.string(), duckdbTypeSchema).optional().describe("Column → DuckDB type, e.g. { zip: VARCHAR, amount: \"DECIMAL(10,2)\" }; the others are detected. A name DuckDB does not know is refused when the project loads."),
  date_format: z.string().optional().describe("strftime format of DATE columns, e.g. %d/%m/%Y."),
  timestamp_format: z.string().optional().describe("strftime format of TIMESTAMP columns."),
  encoding: z.enum(["utf-8", "utf-16", "latin-1"]).optional().describe("Text encoding of the files."),
  skip_rows: z.number().int().min(0).optional().describe("Lines to skip before the header."),
});

const fileSourceSchema = z.strictObject({
  name: identifier.describe("The bronze table the files land in: bronze.<name>."),
  path: z.string().default("data/landing").describe("Folder (relative to the project) whose files are ingested, each exactly once."),
  pattern: z.string().default("*.{csv,parquet}").describe("Glob of file names inside `path`."),
  format: z.enum(["auto", "csv", "parquet", "json"]).default("auto").describe("File format; auto goes by the extension."),
  csv: csvOptionsSchema.optional().describe("CSV reading options (each one detected when unset)."),
  schema_policy: z.enum(["fail", "add_columns", "coerce"]).optional().describe("New, missing or retyped columns: fail the ingest, add them as nullable columns, or coerce to the table's type. Unset: add_columns for files and pulls (a new export may add a column), fail for HTTP pushes (a program's bug)."),
  key: z.array(identifier).min(1).optional().describe("Columns identifying a row: files then upsert by key (one current row per key in bronze) instead of appending."),
  mode: z.enum(["upsert", "snapshot"]).optional().describe("With a key. upsert (default): files add and change rows; snapshot: each file is the whole table, absent keys are deleted."),
  deleted_column: identifier.optional().describe("With a key: a true value in this column deletes the row's key; the column is not stored (default _deleted)."),
}).superRefine((s, ctx) => {
  for (const field of ["mode", "deleted_column"] as const) {
    if (s[field] !== undefined && !s.key) ctx.addIssue({ code: "custom", message: `${field} needs key: [...] on the source`, path: [field] });
  }
});

const postgresSourceSchema = z.strictObject({
  name: identifier.describe("The bronze table the rows land in: bronze.<name>."),
  /** Incremental pull by a cursor column: each run appends rows whose cursor passed the last committed one. */
  postgres: z.strictObject({
    url: z.string().min(1).describe("postgres://user@host:port/db; ${ENV_VAR} is replaced from the environment."),
    table: z.string().min(1).describe("The source table: schema.table or table."),
    cursor: z.string().min(1).describe("A column that grows when a row is inserted or updated (timestamp or number)."),
    key: z.array(z.string()).optional().describe("With a key, bronze keeps one current row per key: updates replace, rows at the last cursor are re-read."),
    columns: z.array(z.string()).optional().describe("Columns to read (default: all)."),
    cursor_lookback: z.union([z.number().positive(), z.string().min(1)]).optional().describe("With a key: also re-read rows whose cursor is this far before the last one (late commits): \"1h\" for a time cursor, a number for a numeric one."),
    deletes: z.enum(["none", "key_scan"]).optional().describe("With a key. key_scan: read every key (only the key columns) and delete from bronze the keys the table no longer holds."),
    key_scan_every: z.string().min(1).optional().describe("With deletes: key_scan, scan at most once per this duration (e.g. \"6h\"); default every run."),
  }).superRefine((p, ctx) => {
    for (const field of ["cursor_lookback", "deletes"] as const) {
      if (p[field] !== undefined && p[field] !== "none" && !p.key?.length) ctx.addIssue({ code: "custom", message: `${field} needs key: [...]`, path: [field] });
    }
  }),
  schema_policy: z.enum(["fail", "add_columns", "coerce"]).optional().describe("Unset: add_columns for pulls, fail for HTTP pushes."),
});

/** The schema of each kind of source (source-kinds.ts says which kind a source is). */
export const SOURCE_SCHEMAS = { postgres: postgresSourceSchema, files: fileSourceSchema } as const;

export const sourceSchema = z.union([postgresSourceSchema, fileSourceSchema]);

const paramValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A parameter's search distribution; a plain list is shorthand for a choice. */
const distributionSchema = z.preprocess(
  (v) => (Array.isArray(v) ? { type: "choice", values: v } : v),
  z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("choice"), values: z.array(paramValue).min(1) }),
    z.strictObject({ type: z.literal("int"), low: z.number(), high: z.number(), log: z.boolean().optional(), step: z.number().positive().optional() }),
    z.strictObject({ type: z.literal("float"), low: z.number(), high: z.number(), log: z.boolean().optional() }),
  ]),
);

export const searchSchema = z.strictObject({
  method: z.enum(["grid", "random", "tpe"]).default("tpe").describe("grid tries every point; random samples; tpe (Tree-structured Parzen Estimator) learns from earlier trials."),
  trials: z.number().int().positive().max(10_000).default(20).describe("Trials for random / tpe; a grid runs every point."),
  prune: z.boolean().default(true).describe("Stop a trial early when its running CV score is below the median of finished trials."),
  parallel: z.number().int().positive().max(64).default(1).describe("Trials evaluated side by side in worker threads (each holds a copy of the training rows)."),
  space: z.record(z.string(), distributionSchema).refine((s) => Object.keys(s).length > 0, "declare at least one parameter to search").describe("Parameter → distribution: a list of choices, or { type: int|float, low, high, log?, step? } / { type: choice, values }."),
});

export const candidateSchema = z.strictObject({
  name: identifier.describe("Candidate name (the run's name)."),
  model: z.string().min(1).describe("Learner: logistic_regression, gbdt, random_forest, … (millrace train --help lists them); for dataset.task: recommendation a recommender: baseline, svd, svdpp, nmf, item_knn, als, two_tower, popularity."),
  params: z.record(z.string(), z.unknown()).default({}).describe("The learner's hyperparameters. For model auto, time_budget_s (default 60) is the candidate's wall time: it is shared evenly by the train.cv_folds CV fits and the final fit (cv_folds 5: each of the 6 searches gets a sixth); each learner auto tries is a child run of the candidate's run, and the run's `chosen` tag names the one kept."),
  search: searchSchema.optional().describe("Tune this candidate: each trial is a child run of the candidate's run; the best is refit and tested."),
});

export const tabularDatasetSchema = z.strictObject({
  table: tableName.describe("The training table, e.g. gold.churn_training."),
  target: z.string().min(1).describe("The column to predict."),
  task: z.enum(["binary", "multiclass", "regression"]).describe("What to predict: a class of two, one of several, or a number (or: recommendation, below)."),
  positive: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional().describe("Binary tasks: the target value that counts as the positive class."),
  features: z.array(z.string()).optional().describe("Feature columns; default: every column but the target, `exclude` and the lake's own `_` columns, the run warns of constant columns and identifiers (>= 95% distinct text; >= 95% distinct integers named like an id — id, *_id, *Id, *_key, uuid… — or dense integers over 1,000+ rows) among them: add them to `exclude` (`millrace train` drops them itself; `--keep` there)."),
  exclude: z.array(z.string()).default([]).describe("Columns left out of the features."),
  key: z.union([z.string().min(1).transform((k) => [k]), z.array(z.string().min(1)).min(1)]).optional().describe("Columns that identify a row (e.g. customer_id): a row's split side follows them, so an updated row keeps its side. Without a key a row is identified by its content (features + target)."),
  split: z
    .strictObject({
      test_fraction: z.number().gt(0).lt(1).default(0.2),
      seed: z.number().int().default(42),
      stratify: z.boolean().default(true).describe("Kept for old projects: the hash split keeps class shares in expectation only."),
    })
    .prefault({}),
});

const column = z.string().min(1);

/** Interactions (user, item, rating or none) for recommenders; candidates name recommenders (svd, als, …). */
export const recommendationDatasetSchema = z.strictObject({
  task: z.literal("recommendation").describe("Rank items for users from their interactions (recommenders: baseline, svd, svdpp, nmf, item_knn, als, two_tower, popularity)."),
  table: tableName.describe("The interactions table: one row per (user, item) interaction, e.g. gold.ratings."),
  user: column.describe("The user id column."),
  item: column.describe("The item id column."),
  rating: column.describe("The rating column (explicit feedback), or none: every row is an interaction (clicks, purchases)."),
  time: column.optional().describe("When the interaction happened (a timestamp or number); kept with the model's columns."),
  weight: column.optional().describe("Implicit feedback: the interaction's strength (e.g. purchase count); default 1."),
  user_features: z.array(column).default([]).describe("Columns describing the user (one value per user; the two-tower model's user tower)."),
  item_features: z.array(column).default([]).describe("Columns describing the item (the two-tower model's item tower)."),
  relevant: z.number().optional().describe("A held-out rating at least this counts as relevant for the ranking metrics (default: 4 on a 0.5..5 scale, else the 80th percentile of the train ratings)."),
  k: z.number().int().min(1).max(1000).default(10).describe("Length of the ranked lists the metrics read (ndcg_at_<k>, precision_at_<k>, …): CV ranking, the gate and the registered metrics."),
  split: z
    .strictObject({
      test_fraction: z.number().gt(0).lt(1).default(0.2).describe("Share of interactions held out, chosen by the (user, item) pair: a pair keeps its side as the table grows."),
      seed: z.number().int().default(42),
    })
    .prefault({}),
});

/** What the pipeline trains on: a table with a target (tabular tasks) or interactions (recommendation). */
export const datasetSchema = z.discriminatedUnion("task", [tabularDatasetSchema, recommendationDatasetSchema]);

export const trainSchema = z.strictObject({
  experiment: z.string().optional().describe("Experiment the runs are filed under (default: the project name)."),
  cv_folds: z.number().int().min(0).max(20).default(5).describe("k-fold cross-validation on the train rows (0 = off); folds, like the split, follow row identity."),
  metric: z.string().optional().describe("The metric candidates are ranked by and gated on."),
  candidates: z.array(candidateSchema).min(1, "declare at least one candidate model").describe("The learners to train and compare; the best by CV is registered."),
  retrain: z.enum(["on_new_data", "always"]).default("on_new_data").describe("on_new_data: train only when the dataset's content or the train config (candidates and their params or search, cv_folds, metric) changed since the version last trained; always: every run."),
});

export const gateSchema = z
  .strictObject({
    min: z.record(z.string(), z.number()).default({}).describe("Lower bounds on the candidate's test metrics, e.g. { roc_auc: 0.8 }."),
    max: z.record(z.string(), z.number()).default({}).describe("Upper bounds on the candidate's test metrics, e.g. { log_loss: 0.5 }."),
    must_beat_production: z.boolean().default(true).describe("Require beating the production version on rows neither model trained on."),
    min_improvement: z.number().default(0).describe("By how much (in the metric's units) it must beat production."),
    significance: z.boolean().default(false).describe("Promote only when the lower end of the 95% bootstrap interval of (challenger - champion) is above min_improvement."),
    min_rows: z.number().int().min(1).default(100).describe("Fewer comparison rows (test rows neither model trained on) than this: the gate decides by the thresholds alone."),
    bootstrap: z.number().int().min(100).max(100_000).default(1000).describe("Paired bootstrap resamples over the comparison rows."),
  })
  .prefault({});

export const registrySchema = z.strictObject({
  model: identifier.describe("Registered model name."),
  alias: z.string().default("production").describe("The alias the gate moves to a promoted version."),
  gate: gateSchema.describe("When a new version may take the alias."),
});

const sloSchema = z.strictObject({
  max_error_rate: z.number().min(0).max(1).optional().describe("Largest share of failed requests."),
  max_p99_ms: z.number().positive().optional(),
  window_s: z.number().positive().default(60).describe("Window over which the SLO is judged."),
  min_requests: z.number().int().positive().default(100).describe("Fewest requests in the window before the SLO judges."),
});

export const serveSchema = z
  .strictObject({
    port: z.number().int().min(0).max(65535).default(8080).describe("TCP port (0 = any free port)."),
    host: z.string().default("127.0.0.1").describe("Address to bind; 127.0.0.1 keeps the server (and the dashboard API) on this machine."),
    alias: z.string().optional().describe("The alias served; default registry.alias."),
    workers: z.union([z.number().int().positive(), z.literal("auto")]).default(1).describe("Serving processes on the port (node:cluster); \"auto\" = one per core."),
    max_records: z.number().int().positive().default(10_000).describe("Most records in one /predict request."),
    max_body_bytes: z.number().int().positive().default(10 * 1024 * 1024).describe("Largest request body in bytes."),
    request_timeout_ms: z.number().int().positive().default(30_000).describe("A request not answered in this time gets 503."),
    extra_fields: z.enum(["reject", "ignore"]).default("reject").describe("Fields a request sends that the signature does not declare."),
    token: z.string().optional().describe("Bearer token with every scope (reload, feedback, ingest, promote, dashboard API); ${ENV} allowed. A non-empty env MILLRACE_API_TOKEN overrides; an empty one is an error."),
    /** Named tokens with scopes: promotions are audited as the name, and a token lacking a scope gets a 403. */
    tokens: z
      .array(
        z
          .strictObject({
            name: z.string().regex(/^[A-Za-z0-9_.@:-]{1,64}$/, "use 1 to 64 letters, digits and _ . @ : -"),
            token: z.string().optional().describe("The secret itself (${ENV} allowed), or the environment variable that holds it."),
            token_env: z.string().optional(),
            scopes: z.array(z.enum(["predict", "ingest", "promote", "read"])).min(1, "give at least one scope: predict, ingest, promote, read"),
          })
          .refine((t) => (t.token === undefined) !== (t.token_env === undefined), "give either token or token_env"),
      )
      .default([]),
    allowed_hosts: z.array(z.string().min(1)).default([]).describe("Host names (besides localhost, 127.0.0.1 and [::1]) this server answers to; checked on loopback, or whenever set."),
    strict_ranges: z.boolean().default(false).describe("Reject (400) numeric values outside the training range and categories never seen, instead of flagging them."),
    cors: z.union([z.literal("*"), z.array(z.string())]).optional().describe("Origins allowed to call the scoring API from a browser (never the dashboard API)."),
    /** Champion/challenger: this alias answers `percent` of requests (sticky by the x-millrace-key header). */
    canary: z
      .strictObject({
        alias: z.string().default("challenger"),
        percent: z.number().min(0).max(100),
        slo: sloSchema.optional().describe("When the canary breaches it, it stops taking traffic and its alias is removed (audited)."),
      })
      .optional(),
    shadow: z.strictObject({ alias: z.string() }).optional().describe("This alias scores every request too; its answers are logged, never returned."),
    reload_s: z.number().positive().default(1).describe("How often to look for alias moves."),
  })
  .prefault({});

const alertSchema = z.strictObject({
  name: identifier.describe("Rule name (in logs, metrics and webhooks)."),
  on: z.enum(["drift", "decay", "error_rate", "latency"]).describe("What the rule watches."),
  threshold: z.number().optional().describe("drift: share of drifted columns (default: the dataset verdict); decay: largest tolerated drop; error_rate: share; latency: p99 ms."),
  metric: z.string().optional().describe("decay: the metric whose drop is watched (default: the gate metric)."),
  column: z.string().optional().describe("drift: one column instead of the dataset verdict."),
  actions: z.array(z.enum(["log", "metric", "webhook", "retrain"])).min(1).describe("What happens when the rule fires; retrain runs the pipeline whose on.alerts names the rule (or its kind), else the whole DAG, through its gate."),
  webhook: z.string().optional().describe("Where the webhook action POSTs the alert as JSON; ${ENV} allowed."),
  cooldown_s: z.number().min(0).default(600).describe("Seconds before the same rule may fire again."),
});

export const monitorSchema = z
  .strictObject({
    sample_rate: z.number().min(0).max(1).default(1).describe("Share of served predictions logged for drift and feedback."),
    /** Drift thresholds; Evidently's defaults unless set. */
    drift: z
      .strictObject({
        psi_threshold: z.number().positive().default(0.2),
        p_value: z.number().gt(0).lt(1).default(0.05),
        distance_threshold: z.number().positive().default(0.1),
        dataset_share: z.number().gt(0).max(1).default(0.5),
      })
      .prefault({}),
    check_every_s: z.number().min(0).default(60).describe("While serving: check drift of the served versions this often (0 = never), over the latest `window_rows`."),
    window_rows: z.number().int().positive().default(5000).describe("Latest logged rows the serving monitor checks."),
    min_rows: z.number().int().positive().default(100).describe("Fewest logged rows before drift gives a verdict."),
    alerts: z.array(alertSchema).default([]).describe("Alert rules on drift, decay, error rate and latency."),
  })
  .prefault({});

export const executionSchema = z
  .strictObject({
    executor: z.enum(["local", "bullmq"]).default("local").describe("local: run every task in the pipeline's process; bullmq: queue every task (ingest, transform, dataset, train, register, recommend, deploy…) for `millrace worker` processes (Redis), each run there with the outputs of its upstream tasks, a task whose worker dies re-run by another. Env MILLRACE_EXECUTOR."),
    redis: z.string().default("redis://127.0.0.1:6379").describe("Env MILLRACE_REDIS_URL overrides."),
    queue: z.string().optional().describe("Default millrace-<project name>; env MILLRACE_QUEUE overrides."),
    lock_seconds: z.number().positive().default(30).describe("A job whose worker stops renewing its lock this long is re-queued."),
    job_timeout_seconds: z.number().positive().default(3600).describe("How long the pipeline waits for one task job on the workers before failing it."),
  })
  .prefault({});

export const storeSchema = z
  .strictObject({
    metadata: z.string().default(".millrace/meta.db").describe("A SQLite file (relative to the project) or a postgres:// URL. Env MILLRACE_METADATA_URL overrides."),
    artifacts: z.string().default(".millrace/artifacts").describe("A folder (relative to the project) or s3://bucket/prefix. Env MILLRACE_ARTIFACTS_URL overrides."),
    lake: z.string().default(".millrace/lake").describe("Folder (relative to the project) of the lake's tables; object storage is not supported yet."),
  })
  .prefault({});

export { taskControlSchema } from "./config-pipelines.js";

export const projectSchema = z.strictObject({
  name: identifier.describe("Project name (letters, digits, _)."),
  description: z.string().optional().describe("One line about the project."),
  sources: z.array(sourceSchema).min(1, "declare at least one source").describe("Where data comes from: landing folders or PostgreSQL tables (kinds below)."),
  models: z.string().default("models").describe("Folder of SQL models: <models>/silver/*.sql, <models>/gold/*.sql."),
  profiles: z.boolean().default(true).describe("Store a column profile (nulls, distinct, quantiles, top values, histogram) with every new table version."),
  checks: z.record(tableName, z.array(qualityRuleSchema)).default({}).describe("Quality rules per table, e.g. \"silver.customers\": [{ rule: not_null, column: churn }]."),
  dataset: datasetSchema,
  train: trainSchema,
  registry: registrySchema,
  serve: serveSchema,
  monitor: monitorSchema,
  execution: executionSchema,
  store: storeSchema,
  ...orchestrationKeys,
  feature_store: featureStoreSchema.optional().describe("Feature store: entities, feature views, on-demand features, services, point-in-time training sets, the online store."),
}).superRefine((p, ctx) => {
  // Candidates are learners of the dataset's task: recommenders for recommendation, tabular learners otherwise. The
  // registries know each learner's parameters: a typo (max_depht) fails here, naming its line.
  const ds = p.dataset;
  const implicit = ds.task === "recommendation" ? ds.rating === "none" : null;
  // Which pipeline each monitor alert starts (pipelines.<name>.on.alerts): names that exist, one pipeline each.
  for (const q of alertTriggerProblems(p)) ctx.addIssue({ code: "custom", path: q.path, message: q.message });
  p.train.candidates.forEach((c, i) => {
    const at = ["train", "candidates", i];
    if (implicit === null && isRecommenderName(c.model)) {
      ctx.addIssue({ code: "custom", path: [...at, "model"], message: `${c.model} is a recommender: it needs dataset.task: recommendation with user, item and rating columns` });
      return;
    }
    const problems = implicit === null ? candidateProblems(c) : recommenderCandidateProblems(c, implicit);
    for (const q of problems) ctx.addIssue({ code: "custom", path: [...at, ...q.path], message: q.message });
  });
});

/** What a user writes (defaults optional). */
export type ProjectInput = z.input<typeof projectSchema>;
/** What the pipeline reads (defaults filled in). */
export type ProjectConfig = z.output<typeof projectSchema>;
export type SourceConfig = ProjectConfig["sources"][number];
export type FileSourceConfig = z.output<typeof fileSourceSchema>;
export type PostgresSourceConfig = z.output<typeof postgresSourceSchema>;
export type CandidateConfig = ProjectConfig["train"]["candidates"][number];
export type TabularDatasetConfig = z.output<typeof tabularDatasetSchema>;
export type RecommendationDatasetConfig = z.output<typeof recommendationDatasetSchema>;

/** The dataset of a tabular project; a recommendation project has no target, so asking for one is a config error. */
export function tabularDataset(config: Pick<ProjectConfig, "dataset">): TabularDatasetConfig {
  if (config.dataset.task !== "recommendation") return config.dataset;
  throw new ConfigError("dataset.task is recommendation: this step needs a tabular dataset (table, target, task)", {
    path: "dataset.task",
    hint: "recommendation projects train with the recommend task kind (millrace run), not the tabular dataset/train steps",
  });
}
