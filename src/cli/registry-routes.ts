// Mutating registry endpoints of the server (a token with the promote scope; each move audited as the token's name,
// or as the x-millrace-actor header under the single shared token). A body is optional where nothing is required:
//   POST   /models/:name/aliases/:alias   {"version": 3, "reason": "..."}   point an alias at a version (promote)
//   DELETE /models/:name/aliases/:alias   {"reason": "..."}                 remove an alias
//   POST   /models/:name/aliases/:alias/rollback {"reason": "..."}          back to the version it held before
// Every replica polls its aliases, so a move here reaches them all.
import type { Handler, Hono } from "hono";
import { ValidationError } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import { actorOf, type Guard } from "../serve/auth.js";
import { parseJsonBytes, readLimited, requireJson } from "../serve/body.js";

const MAX_BODY = 16 * 1024;

/** The JSON object body, or {} when there is none (a DELETE or a rollback sent without a body is not a 415). */
async function bodyOf(req: Request): Promise<Record<string, unknown>> {
  const bytes = await readLimited(req, MAX_BODY);
  if (bytes.byteLength === 0) return {};
  requireJson(req.headers.get("content-type"));
  const v = parseJsonBytes(bytes).value;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ValidationError("the body must be a JSON object", { path: "body" });
  return v as Record<string, unknown>;
}

function reasonOf(body: Record<string, unknown>, fallback: string): string {
  if (body.reason === undefined) return fallback;
  if (typeof body.reason !== "string" || body.reason.length > 1000) throw new ValidationError("reason must be a string of at most 1,000 characters", { path: "reason" });
  return body.reason;
}

/** One alias move per route: body parsed, the move made (and audited), replicas told; errors as JSON 4xx. */
type Move = (name: string, alias: string, body: Record<string, unknown>, audit: { actor: string }) => Promise<unknown>;

export function mountRegistryRoutes(app: Hono, guard: Guard, registry: Registry, onMove: () => Promise<unknown>): void {
  // Failures are thrown to the app, which answers the 4xx and logs every 5xx with its route.
  const route = (move: Move): Handler => async (c) => {
    const actor = actorOf(c.req.raw);
    const t = await move(c.req.param("name") ?? "", c.req.param("alias") ?? "", await bodyOf(c.req.raw), { actor });
    await onMove();
    return c.json(t as object);
  };
  const promote = guard("promote");
  app.post(
    "/models/:name/aliases/:alias",
    promote,
    route((name, alias, body, { actor }) => {
      const version = body.version;
      if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
        throw new ValidationError("version must be a positive integer", { path: "version", hint: 'send {"version": 3, "reason": "why"}' });
      }
      return registry.setAlias(name, alias, version, { actor, reason: reasonOf(body, "promoted over HTTP") });
    }),
  );
  app.delete("/models/:name/aliases/:alias", promote, route((name, alias, body, { actor }) => registry.removeAlias(name, alias, { actor, reason: reasonOf(body, "removed over HTTP") })));
  app.post(
    "/models/:name/aliases/:alias/rollback",
    promote,
    route((name, alias, body, { actor }) => registry.rollback(name, alias, { actor, reason: reasonOf(body, "rolled back over HTTP") })),
  );
}
