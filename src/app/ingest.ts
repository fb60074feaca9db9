// Push ingest, written once: an NDJSON body appended to (or, for a keyed source, upserted into) bronze.<source>
// under the source's schema policy, idempotent by a batch id, malformed lines quarantined with their line numbers.
// The server's POST /ingest/<source> is its HTTP adapter.
import { checkPushedLines } from "./ingest-check.js";
import { NotFoundError } from "../errors.js";
import type { Lake } from "../lake/lake.js";
import type { SchemaPolicy } from "../lake/schema-policy.js";
import { DEFAULT_DELETE_COLUMN } from "../lake/sources/files-keyed.js";
import type { Project } from "../project/load-project.js";
import { fileSources } from "../project/source-kinds.js";
import { pushSchemaPolicies } from "./ingest-check.js";

export interface PushResult {
  table: string;
  /** The version written, or null when nothing was (a repeated batch). */
  version: number | null;
  /** A batch id seen before: nothing was written again. */
  duplicate: boolean;
  rowsIn: number;
  rowsOut: number;
  rowsQuarantined: number;
  quarantineTable?: string;
  /** Set when records came in but no version was written (none could be read, or none were sent): the reason. */
  notCommitted?: string;
  /** Why lines were refused: the first few, with their line numbers in the batch. */
  reasons?: { line: number; reason: string }[];
}

/** The sources that accept pushed records (the file sources of millrace.yaml), with the schema policy of their pushes. */
export function pushableSources(project: Project): Map<string, SchemaPolicy> {
  const policies = pushSchemaPolicies(project);
  return new Map(fileSources(project.config.sources).map((src) => [src.name, policies.get(src.name) ?? "fail"] as const));
}

/** The push policy of `source`, or a NotFoundError naming the sources that take pushes. */
export function pushPolicy(sources: Map<string, SchemaPolicy>, source: string): SchemaPolicy {
  const policy = sources.get(source);
  if (policy === undefined) {
    throw new NotFoundError(`no source "${source}" accepts pushed records`, {
      path: "source",
      hint: sources.size ? `sources: ${[...sources.keys()].join(", ")}` : "declare the source in millrace.yaml (sources: - name: ...)",
    });
  }
  return policy;
}

/** Appends (or upserts) one pushed NDJSON batch to bronze.<source>; `policy` is the source's schema policy for pushes. */
export async function pushRecords(lake: Lake, project: Project, source: string, text: string, opts: { policy: SchemaPolicy; batchId?: string }): Promise<PushResult> {
  const table = `bronze.${source}`;
  let schemaPolicy = opts.policy;
  const spec = project.config.sources.find((s) => s.name === source);
  const keyed = spec && "key" in spec && spec.key ? { key: spec.key, deleteColumn: spec.deleted_column ?? DEFAULT_DELETE_COLUMN } : undefined;
  const current = opts.policy === "fail" ? await lake.current(table) : null;
  if (current && current.schema.length > 0) {
    checkPushedLines(text, table, current.schema, keyed);
    // Every line now has the table's columns and types: the table's schema wins, so a column that is null in
    // the whole batch (which DuckDB reads as another type) is not taken for a type change.
    schemaPolicy = "coerce";
  }
  const pushOpts = { source: `http:/ingest/${source}`, schemaPolicy, ...(opts.batchId ? { batchId: opts.batchId } : {}) };
  // A source with a key keeps one row per key: a push upserts like its files instead of appending a second row.
  const r = keyed
    ? await (await import("../lake/sources/push-keyed.js")).ingestKeyedNdjson(lake, table, text, { ...pushOpts, ...keyed })
    : await lake.ingestNdjson(table, text, pushOpts);
  const reasons = r.ingested.flatMap((f) => f.badRowSamples ?? []).slice(0, 5);
  return {
    table: r.table,
    version: r.version?.version ?? null,
    duplicate: r.version === null && opts.batchId !== undefined && r.rowsIn === 0,
    rowsIn: r.rowsIn,
    rowsOut: r.rowsOut,
    // A batch refused whole stored nothing, not even its bad lines: it is counted as refused, not quarantined.
    rowsQuarantined: r.notCommitted ? 0 : r.rowsBad,
    ...(r.quarantineTable && r.rowsBad && !r.notCommitted ? { quarantineTable: r.quarantineTable } : {}),
    ...(r.notCommitted ? { notCommitted: r.notCommitted } : {}),
    ...(reasons.length ? { reasons } : {}),
  };
}
