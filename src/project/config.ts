// The millrace.yaml schema: one zod value gives the TypeScript type, validation and defaults.
import { z } from "zod";
import { candidateProblems } from "../learn/candidate-check.js";
import { qualityRuleSchema } from "../quality/checks.js";

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use letters, digits and _, starting with a letter");
const tableName = z.string().regex(/^(bronze|silver|gold)\.[A-Za-z_][A-Za-z0-9_]*$/, 'write tables as "<bronze|silver|gold>.<name>"');

const csvOptionsSchema = z.strictObject({
  delimiter: z.string().length(1).optional(),
  header: z.boolean().optional(),
  quote: z.string().max(1).optional(),
  escape: z.string().max(1).optional(),
  /** Column → DuckDB type, e.g. { zip: VARCHAR, amount: "DECIMAL(10,2)" }; the others are detected. */
  types: z.record(z.string(), z.string()).optional(),
  date_format: z.string().optional(),
  timestamp_format: z.string().optional(),
  encoding: z.enum(["utf-8", "utf-16", "latin-1"]).optional(),
  skip_rows: z.number().int().min(0).optional(),
});

const fileSourceSchema = z.strictObject({
  /** The bronze table the files land in: bronze.<name>. */
  name: identifier,
  /** Folder (relative to the project) whose files are ingested, each exactly once. */
  path: z.string().default("data/landing"),
  /** Glob of file names inside `path`. */
  pattern: z.string().default("*.{csv,parquet}"),
  format: z.enum(["auto", "csv", "parquet", "json"]).default("auto"),
  csv: csvOptionsSchema.optional(),
  /** New, missing or retyped columns: fail the ingest, add them as nullable columns, or coerce to the table's type.
   *  Unset: add_columns for files and pulls (a new export may add a column), fail for HTTP pushes (a program's bug). */
  schema_policy: z.enum(["fail", "add_columns", "coerce"]).optional(),
  /** Columns identifying a row: files then upsert by key (one current row per key in bronze) instead of appending. */
  key: z.array(identifier).min(1).optional(),
  /** With a key. upsert (default): files add and change rows; snapshot: each file is the whole table, absent keys are deleted. */
  mode: z.enum(["upsert", "snapshot"]).optional(),
  /** With a key: a true value in this column deletes the row's key; the column is not stored (default _deleted). */
  deleted_column: identifier.optional(),
}).superRefine((s, ctx) => {
  for (const field of ["mode", "deleted_column"] as const) {
    if (s[field] !== undefined && !s.key) ctx.addIssue({ code: "custom", message: `${field} needs key: [...] on the source`, path: [field] });
  }
});

const postgresSourceSchema = z.strictObject({
  name: identifier,
  /** Incremental pull by a cursor column: each run appends rows whose cursor passed the last committed one. */
  postgres: z.strictObject({
    /** postgres://user@host:port/db; ${ENV_VAR} is replaced from the environment. */
    url: z.string().min(1),
    table: z.string().min(1),
    cursor: z.string().min(1),
    /** With a key, bronze keeps one current row per key: updates replace, rows at the last cursor are re-read. */
    key: z.array(z.string()).optional(),
    columns: z.array(z.string()).optional(),
    /** With a key: also re-read rows whose cursor is this far before the last one (late commits): "1h" for a time cursor, a number for a numeric one. */
    cursor_lookback: z.union([z.number().positive(), z.string().min(1)]).optional(),
    /** With a key. key_scan: read every key (only the key columns) and delete from bronze the keys the table no longer holds. */
    deletes: z.enum(["none", "key_scan"]).optional(),
    /** With deletes: key_scan, scan at most once per this duration (e.g. "6h"); default every run. */
    key_scan_every: z.string().min(1).optional(),
  }).superRefine((p, ctx) => {
    for (const field of ["cursor_lookback", "deletes"] as const) {
      if (p[field] !== undefined && p[field] !== "none" && !p.key?.length) ctx.addIssue({ code: "custom", message: `${field} needs key: [...]`, path: [field] });
    }
  }),
  /** Unset: add_columns for pulls, fail for HTTP pushes. */
  schema_policy: z.enum(["fail", "add_columns", "coerce"]).optional(),
});

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
  method: z.enum(["grid", "random", "tpe"]).default("tpe"),
  /** Trials for random / tpe; a grid runs every point. */
  trials: z.number().int().positive().max(10_000).default(20),
  /** Stop a trial early when its running CV score is below the median of finished trials. */
  prune: z.boolean().default(true),
  /** Trials evaluated side by side in worker threads (each holds a copy of the training rows). */
  parallel: z.number().int().positive().max(64).default(1),
  space: z.record(z.string(), distributionSchema).refine((s) => Object.keys(s).length > 0, "declare at least one parameter to search"),
});

export const candidateSchema = z.strictObject({
  name: identifier,
  model: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Tune this candidate: each trial is a child run of the candidate's run; the best is refit and tested. */
  search: searchSchema.optional(),
}).superRefine((c, ctx) => {
  // The model registry knows each learner's parameters: a typo (max_depht) fails here, naming its line.
  for (const p of candidateProblems(c)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
});

export const datasetSchema = z.strictObject({
  table: tableName,
  target: z.string().min(1),
  task: z.enum(["binary", "multiclass", "regression"]),
  /** Binary tasks: the target value that counts as the positive class. */
  positive: z.union([z.string(), z.number(), z.boolean()]).transform(String).optional(),
  /** Feature columns; default: every column but the target, `exclude` and the lake's own `_` columns. */
  features: z.array(z.string()).optional(),
  exclude: z.array(z.string()).default([]),
  /** Columns that identify a row (e.g. customer_id): a row's split side follows them, so an updated row keeps its side.
   *  Without a key a row is identified by its content (features + target). */
  key: z.union([z.string().min(1).transform((k) => [k]), z.array(z.string().min(1)).min(1)]).optional(),
  split: z
    .strictObject({
      test_fraction: z.number().gt(0).lt(1).default(0.2),
      seed: z.number().int().default(42),
      /** Kept for old projects: the hash split keeps class shares in expectation only. */
      stratify: z.boolean().default(true),
    })
    .prefault({}),
});

export const trainSchema = z.strictObject({
  experiment: z.string().optional(),
  cv_folds: z.number().int().min(0).max(20).default(5),
  /** The metric candidates are ranked by and gated on. */
  metric: z.string().optional(),
  candidates: z.array(candidateSchema).min(1, "declare at least one candidate model"),
  /** on_new_data: train only when the dataset's content changed; always: every run. */
  retrain: z.enum(["on_new_data", "always"]).default("on_new_data"),
});

export const gateSchema = z
  .strictObject({
    min: z.record(z.string(), z.number()).default({}),
    max: z.record(z.string(), z.number()).default({}),
    must_beat_production: z.boolean().default(true),
    min_improvement: z.number().default(0),
    /** Promote only when the lower end of the 95% bootstrap interval of (challenger - champion) is above min_improvement. */
    significance: z.boolean().default(false),
    /** Fewer comparison rows (test rows neither model trained on) than this: the gate decides by the thresholds alone. */
    min_rows: z.number().int().min(1).default(100),
    /** Paired bootstrap resamples over the comparison rows. */
    bootstrap: z.number().int().min(100).max(100_000).default(1000),
  })
  .prefault({});

export const registrySchema = z.strictObject({
  model: identifier,
  alias: z.string().default("production"),
  gate: gateSchema,
});

const sloSchema = z.strictObject({
  max_error_rate: z.number().min(0).max(1).optional(),
  max_p99_ms: z.number().positive().optional(),
  window_s: z.number().positive().default(60),
  min_requests: z.number().int().positive().default(100),
});

export const serveSchema = z
  .strictObject({
    port: z.number().int().min(0).max(65535).default(8080),
    host: z.string().default("127.0.0.1"),
    /** The alias served; default registry.alias. */
    alias: z.string().optional(),
    /** Serving processes on the port (node:cluster); "auto" = one per core. */
    workers: z.union([z.number().int().positive(), z.literal("auto")]).default(1),
    max_records: z.number().int().positive().default(10_000),
    max_body_bytes: z.number().int().positive().default(10 * 1024 * 1024),
    request_timeout_ms: z.number().int().positive().default(30_000),
    /** Fields a request sends that the signature does not declare. */
    extra_fields: z.enum(["reject", "ignore"]).default("reject"),
    /** Bearer token with every scope (reload, feedback, ingest, promote, dashboard API); ${ENV} allowed. A non-empty env MILLRACE_API_TOKEN overrides; an empty one is an error. */
    token: z.string().optional(),
    /** Named tokens with scopes: promotions are audited as the name, and a token lacking a scope gets a 403. */
    tokens: z
      .array(
        z
          .strictObject({
            name: z.string().regex(/^[A-Za-z0-9_.@:-]{1,64}$/, "use 1 to 64 letters, digits and _ . @ : -"),
            /** The secret itself (${ENV} allowed), or the environment variable that holds it. */
            token: z.string().optional(),
            token_env: z.string().optional(),
            scopes: z.array(z.enum(["predict", "ingest", "promote", "read"])).min(1, "give at least one scope: predict, ingest, promote, read"),
          })
          .refine((t) => (t.token === undefined) !== (t.token_env === undefined), "give either token or token_env"),
      )
      .default([]),
    /** Host names (besides localhost, 127.0.0.1 and [::1]) this server answers to; checked on loopback, or whenever set. */
    allowed_hosts: z.array(z.string().min(1)).default([]),
    /** Reject (400) numeric values outside the training range and categories never seen, instead of flagging them. */
    strict_ranges: z.boolean().default(false),
    cors: z.union([z.literal("*"), z.array(z.string())]).optional(),
    /** Champion/challenger: this alias answers `percent` of requests (sticky by the x-millrace-key header). */
    canary: z
      .strictObject({
        alias: z.string().default("challenger"),
        percent: z.number().min(0).max(100),
        /** When the canary breaches it, it stops taking traffic and its alias is removed (audited). */
        slo: sloSchema.optional(),
      })
      .optional(),
    /** This alias scores every request too; its answers are logged, never returned. */
    shadow: z.strictObject({ alias: z.string() }).optional(),
    /** How often to look for alias moves. */
    reload_s: z.number().positive().default(1),
  })
  .prefault({});

const alertSchema = z.strictObject({
  name: identifier,
  on: z.enum(["drift", "decay", "error_rate", "latency"]),
  /** drift: share of drifted columns (default: the dataset verdict); decay: largest tolerated drop; error_rate: share; latency: p99 ms. */
  threshold: z.number().optional(),
  metric: z.string().optional(),
  column: z.string().optional(),
  actions: z.array(z.enum(["log", "metric", "webhook", "retrain"])).min(1),
  /** Where the webhook action POSTs the alert as JSON; ${ENV} allowed. */
  webhook: z.string().optional(),
  cooldown_s: z.number().min(0).default(600),
});

export const monitorSchema = z
  .strictObject({
    sample_rate: z.number().min(0).max(1).default(1),
    /** Drift thresholds; Evidently's defaults unless set. */
    drift: z
      .strictObject({
        psi_threshold: z.number().positive().default(0.2),
        p_value: z.number().gt(0).lt(1).default(0.05),
        distance_threshold: z.number().positive().default(0.1),
        dataset_share: z.number().gt(0).max(1).default(0.5),
      })
      .prefault({}),
    /** While serving: check drift of the served versions this often (0 = never), over the latest `window_rows`. */
    check_every_s: z.number().min(0).default(60),
    window_rows: z.number().int().positive().default(5000),
    min_rows: z.number().int().positive().default(100),
    alerts: z.array(alertSchema).default([]),
  })
  .prefault({});

export const executionSchema = z
  .strictObject({
    /** local: train in this process; bullmq: queue each candidate for `millrace worker` processes (Redis). Env MILLRACE_EXECUTOR. */
    executor: z.enum(["local", "bullmq"]).default("local"),
    /** Env MILLRACE_REDIS_URL overrides. */
    redis: z.string().default("redis://127.0.0.1:6379"),
    /** Default millrace-<project name>; env MILLRACE_QUEUE overrides. */
    queue: z.string().optional(),
    /** A job whose worker stops renewing its lock this long is re-queued. */
    lock_seconds: z.number().positive().default(30),
    job_timeout_seconds: z.number().positive().default(3600),
  })
  .prefault({});

export const storeSchema = z
  .strictObject({
    /** A SQLite file (relative to the project) or a postgres:// URL. Env MILLRACE_METADATA_URL overrides. */
    metadata: z.string().default(".millrace/meta.db"),
    /** A folder (relative to the project) or s3://bucket/prefix. Env MILLRACE_ARTIFACTS_URL overrides. */
    artifacts: z.string().default(".millrace/artifacts"),
    lake: z.string().default(".millrace/lake"),
  })
  .prefault({});

export const projectSchema = z.strictObject({
  name: identifier,
  description: z.string().optional(),
  sources: z.array(sourceSchema).min(1, "declare at least one source"),
  /** Folder of SQL models: <models>/silver/*.sql, <models>/gold/*.sql. */
  models: z.string().default("models"),
  /** Store a column profile (nulls, distinct, quantiles, top values, histogram) with every new table version. */
  profiles: z.boolean().default(true),
  /** Quality rules per table, e.g. "silver.customers": [{ rule: not_null, column: churn }]. */
  checks: z.record(tableName, z.array(qualityRuleSchema)).default({}),
  dataset: datasetSchema,
  train: trainSchema,
  registry: registrySchema,
  serve: serveSchema,
  monitor: monitorSchema,
  execution: executionSchema,
  store: storeSchema,
});

/** What a user writes (defaults optional). */
export type ProjectInput = z.input<typeof projectSchema>;
/** What the pipeline reads (defaults filled in). */
export type ProjectConfig = z.output<typeof projectSchema>;
export type SourceConfig = ProjectConfig["sources"][number];
export type FileSourceConfig = z.output<typeof fileSourceSchema>;
export type PostgresSourceConfig = z.output<typeof postgresSourceSchema>;
export type CandidateConfig = ProjectConfig["train"]["candidates"][number];
