// Mutating registry endpoints of the server (a token with the promote scope; each move audited as the token's name,
// or as the x-millrace-actor header under the single shared token). A body is optional where nothing is required:
//   POST   /models/:name/aliases/:alias   {"version": 3, "reason": "..."}   point an alias at a version (promote)
//   DELETE /models/:name/aliases/:alias   {"reason": "..."}                 remove an alias
//   POST   /models/:name/aliases/:alias/rollback {"reason": "..."}          back to the version it held before
//   POST   /models/:name/versions/:version/archive {"reason": "...", "restore": false}  archive (restore: true takes it out)
// Every replica polls its aliases, so a move here reaches them all.
import type { Context, Handler, Hono } from "hono";
import { archive, promote, removeAlias, rollback, versionText } from "../app/model-versions.js";
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

/** One registry change per route: body parsed, the change made (and audited), replicas told; errors as JSON 4xx. */
type Change = (c: Context, body: Record<string, unknown>, audit: { actor: string }) => Promise<unknown>;

export function mountRegistryRoutes(app: Hono, guard: Guard, registry: Registry, onMove: () => Promise<unknown>): void {
  // Failures are thrown to the app, which answers the 4xx and logs every 5xx with its route.
  const route = (change: Change): Handler => async (c) => {
    const t = await change(c, await bodyOf(c.req.raw), { actor: actorOf(c.req.raw) });
    await onMove();
    return c.json(t as object);
  };
  const ask = (body: Record<string, unknown>, actor: string, defaultReason: string) => ({ actor, reason: body.reason, defaultReason });
  const name = (c: Context) => c.req.param("name") ?? "";
  const alias = (c: Context) => c.req.param("alias") ?? "";
  const guarded = guard("promote");
  app.post(
    "/models/:name/aliases/:alias",
    guarded,
    route((c, body, { actor }) => promote(registry, name(c), alias(c), body.version, { ...ask(body, actor, "promoted over HTTP"), versionHint: 'send {"version": 3, "reason": "why"}' })),
  );
  app.delete("/models/:name/aliases/:alias", guarded, route((c, body, { actor }) => removeAlias(registry, name(c), alias(c), ask(body, actor, "removed over HTTP"))));
  app.post("/models/:name/aliases/:alias/rollback", guarded, route((c, body, { actor }) => rollback(registry, name(c), alias(c), ask(body, actor, "rolled back over HTTP"))));
  app.post(
    "/models/:name/versions/:version/archive",
    guarded,
    route((c, body, { actor }) => {
      const unknown = Object.keys(body).find((k) => k !== "reason" && k !== "restore");
      if (unknown !== undefined) throw new ValidationError(`unknown field ${unknown}: the body takes reason and restore`, { path: unknown, hint: 'send {"reason": "why", "restore": false}' });
      return archive(registry, name(c), versionText(c.req.param("version") ?? ""), body.restore, ask(body, actor, body.restore === true ? "restored over HTTP" : "archived over HTTP"));
    }),
  );
}
