// POST /ingest/<source>: NDJSON micro-batches into bronze.<source> while serving (streaming ingest). Bounded body,
// a token with the ingest scope, the source's schema policy (fail by default for pushes: 400 naming the field),
// idempotent by the Idempotency-Key header, malformed lines quarantined with their line numbers.
import type { Hono } from "hono";
import { NotFoundError, ValidationError } from "../errors.js";
import { Lake } from "../lake/lake.js";
import type { Project } from "../project/load-project.js";
import type { SchemaPolicy } from "../lake/schema-policy.js";
import type { Guard } from "../serve/auth.js";
import { readLimited } from "../serve/body.js";
import { UnsupportedMediaTypeError } from "../serve/http-errors.js";
import { DEFAULT_DELETE_COLUMN } from "../lake/sources/files-keyed.js";
import { checkPushedLines } from "./ingest-check.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface IngestRoute {
  mount(app: Hono, guard: Guard): void;
  close(): Promise<void>;
}

export interface IngestRouteOptions {
  maxBodyBytes: number;
  /** The sources that accept pushes, with the schema policy each push follows (see pushSchemaPolicies). */
  sources: Map<string, SchemaPolicy>;
}

export function ingestRoute(project: Project, opts: IngestRouteOptions): IngestRoute {
  // The lake (DuckDB) is opened on the first ingest, so a server that never ingests never pays for it.
  let lake: Promise<Lake> | null = null;
  const openLake = () => (lake ??= Lake.open(project.paths.lake));
  return {
    mount(app, guard) {
      // Failures are thrown to the app, which answers the 4xx and logs every 5xx with its route.
      app.post("/ingest/:source", guard("ingest"), async (c) => {
        const source = c.req.param("source");
        const policy = opts.sources.get(source);
        if (policy === undefined) {
          throw new NotFoundError(`no source "${source}" accepts pushed records`, {
            path: "source",
            hint: opts.sources.size ? `sources: ${[...opts.sources.keys()].join(", ")}` : "declare the source in millrace.yaml (sources: - name: ...)",
          });
        }
        const type = c.req.header("content-type") ?? "";
        if (!/^application\/(x-)?ndjson|^application\/jsonl|^application\/json-seq|^text\/plain/i.test(type)) {
          throw new UnsupportedMediaTypeError(`content type ${type || "(none)"} is not NDJSON`, { path: "content-type", hint: "send Content-Type: application/x-ndjson, one JSON object a line" });
        }
        const bytes = await readLimited(c.req.raw, opts.maxBodyBytes);
        let text: string;
        try {
          text = utf8.decode(bytes);
        } catch {
          throw new ValidationError("the body is not valid UTF-8", { path: "body" });
        }
        if (!text.trim()) throw new ValidationError("the body holds no records", { path: "body", hint: "one JSON object a line" });
        const batchId = c.req.header("idempotency-key") ?? undefined;
        const table = `bronze.${source}`;
        const l = await openLake();
        let schemaPolicy = policy;
        const spec = project.config.sources.find((s) => s.name === source);
        const keyed = spec && "key" in spec && spec.key ? { key: spec.key, deleteColumn: spec.deleted_column ?? DEFAULT_DELETE_COLUMN } : undefined;
        const current = policy === "fail" ? await l.current(table) : null;
        if (current && current.schema.length > 0) {
          checkPushedLines(text, table, current.schema, keyed);
          // Every line now has the table's columns and types: the table's schema wins, so a column that is null in
          // the whole batch (which DuckDB reads as another type) is not taken for a type change.
          schemaPolicy = "coerce";
        }
        const pushOpts = { source: `http:/ingest/${source}`, schemaPolicy, ...(batchId ? { batchId } : {}) };
        // A source with a key keeps one row per key: a push upserts like its files instead of appending a second row.
        const r = keyed
          ? await (await import("../lake/sources/push-keyed.js")).ingestKeyedNdjson(l, table, text, { ...pushOpts, ...keyed })
          : await l.ingestNdjson(table, text, pushOpts);
        return c.json({
          table: r.table,
          version: r.version?.version ?? null,
          duplicate: r.version === null && batchId !== undefined && r.rowsIn === 0,
          rowsIn: r.rowsIn,
          rowsOut: r.rowsOut,
          rowsQuarantined: r.rowsBad,
          ...(r.quarantineTable && r.rowsBad ? { quarantineTable: r.quarantineTable } : {}),
        });
      });
    },
    async close() {
      if (lake) await (await lake).close();
    },
  };
}
