// POST /ingest/<source>: NDJSON micro-batches into bronze.<source> while serving (streaming ingest). Bounded body,
// a token with the ingest scope, the source's schema policy (fail by default for pushes: 400 naming the field),
// idempotent by the Idempotency-Key header, malformed lines quarantined with their line numbers.
import type { Hono } from "hono";
import { ValidationError } from "../errors.js";
import { pushPolicy, pushRecords } from "../app/ingest.js";
import { Workspace } from "../app/workspace.js";
import type { Project } from "../project/load-project.js";
import type { SchemaPolicy } from "../lake/schema-policy.js";
import type { Guard } from "../serve/auth.js";
import { readLimited } from "../serve/body.js";
import { UnsupportedMediaTypeError } from "../serve/http-errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface IngestRoute {
  mount(app: Hono, guard: Guard): void;
  close(): Promise<void>;
}

export interface IngestRouteOptions {
  maxBodyBytes: number;
  /** The sources that accept pushes, with the schema policy each push follows (see pushableSources). */
  sources: Map<string, SchemaPolicy>;
}

/** The route on the process's workspace (its owner closes it), or on a project's own one (closed by close()). */
export function ingestRoute(on: Workspace | Project, opts: IngestRouteOptions): IngestRoute {
  // The workspace opens the lake (DuckDB) on the first ingest, so a server that never ingests never pays for it.
  const own = !(on instanceof Workspace);
  const ws = on instanceof Workspace ? on : new Workspace(on);
  return {
    mount(app, guard) {
      // Failures are thrown to the app, which answers the 4xx and logs every 5xx with its route.
      app.post("/ingest/:source", guard("ingest"), async (c) => {
        const source = c.req.param("source");
        const policy = pushPolicy(opts.sources, source);
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
        const r = await pushRecords(await ws.lake(), ws.project, source, text, { policy, ...(batchId ? { batchId } : {}) });
        // Not one line could be read: nothing was stored, and the client hears it (the reasons are in the body).
        return r.notCommitted ? c.json({ error: "validation_error", message: r.notCommitted, path: "body", ...r }, 422) : c.json(r);
      });
    },
    close: () => (own ? ws.close() : Promise.resolve()),
  };
}
