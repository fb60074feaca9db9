// POST /ingest/<source>: NDJSON micro-batches into bronze.<source> while serving (streaming ingest). Bounded body,
// API token, idempotent by the Idempotency-Key header, malformed lines quarantined with their line numbers.
import type { Hono, MiddlewareHandler } from "hono";
import { NotFoundError, ValidationError } from "../errors.js";
import { Lake } from "../lake/lake.js";
import type { Project } from "../project/load-project.js";
import { readLimited } from "../serve/body.js";
import { errorResponse, UnsupportedMediaTypeError } from "../serve/http-errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface IngestRoute {
  mount(app: Hono, guard: MiddlewareHandler): void;
  close(): Promise<void>;
}

export function ingestRoute(project: Project, opts: { maxBodyBytes: number; sources: string[] }): IngestRoute {
  // The lake (DuckDB) is opened on the first ingest, so a server that never ingests never pays for it.
  let lake: Promise<Lake> | null = null;
  const openLake = () => (lake ??= Lake.open(project.paths.lake));
  return {
    mount(app, guard) {
      app.post("/ingest/:source", guard, async (c) => {
        try {
          const source = c.req.param("source");
          if (!opts.sources.includes(source)) {
            throw new NotFoundError(`no source "${source}" accepts pushed records`, {
              path: "source",
              hint: opts.sources.length ? `sources: ${opts.sources.join(", ")}` : "declare the source in millrace.yaml (sources: - name: ...)",
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
          const r = await (await openLake()).ingestNdjson(`bronze.${source}`, text, { source: `http:/ingest/${source}`, ...(batchId ? { batchId } : {}) });
          return c.json({
            table: r.table,
            version: r.version?.version ?? null,
            duplicate: r.version === null && batchId !== undefined && r.rowsIn === 0,
            rowsIn: r.rowsIn,
            rowsOut: r.rowsOut,
            rowsQuarantined: r.rowsBad,
            ...(r.quarantineTable && r.rowsBad ? { quarantineTable: r.quarantineTable } : {}),
          });
        } catch (e) {
          return errorResponse(e);
        }
      });
    },
    async close() {
      if (lake) await (await lake).close();
    },
  };
}
