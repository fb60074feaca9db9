// GET/POST /recommend: the served recommender's top-K items for a user, with scores and provenance; seen items
// left out by default; an unknown user is ranked by a two_tower model's feature tower when the request gives
// `features`, else gets the most popular items, and the answer says which (`cold_start`).
import { randomUUID } from "node:crypto";
import type { Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import { ValidationError } from "../errors.js";
import type { ServedList } from "../monitor/served-lists.js";
import type { RecommenderModel } from "../recommend/model.js";
import { isRecommenderPredictor } from "../recommend/predictor.js";
import { readJsonBody } from "./body.js";
import { recommendIndex, type ServeOptions, type ServedRecommendation } from "./recommend-index.js";
import { noModel } from "./predict.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import type { ModelSource } from "./types.js";

/** K when a request does not say (/recommend and the V2 top-K form). */
export const DEFAULT_K = 10;
/** The largest K a request may ask for (/recommend and V2), further bounded by the items the model ranks. */
export const MAX_RECOMMEND_K = 1000;

/** A K over the items the model ranks is refused on both routes: the length asked for is the length answered. */
export function assertK(k: number, catalogue: number, field: string): void {
  const most = Math.min(MAX_RECOMMEND_K, catalogue);
  if (k > most) throw new ValidationError(`${field} must be at most ${most} (the model ranks ${catalogue} items), got ${k}`, { path: field });
}

/** K as asked (refused over the catalogue, as V2 refuses it), or by default DEFAULT_K capped at the catalogue. */
export function kFor(k: number | undefined, catalogue: number, field: string): number {
  if (k === undefined) return Math.min(DEFAULT_K, catalogue);
  assertK(k, catalogue, field);
  return k;
}

/** The one ranking path of served recommenders (/recommend and V2 infer with only the user tensor). */
export function rankFor(model: RecommenderModel, user: string, opts: ServeOptions): ServedRecommendation {
  return recommendIndex(model).recommend(user, opts);
}

const id = z.union([z.string().min(1), z.number()]).transform(String);

const RecommendBody = z.strictObject({
  user: id.describe("the user to recommend for (unknown users get the popular items)"),
  k: z.number().int().min(1).max(MAX_RECOMMEND_K).optional().describe(`how many items (default ${DEFAULT_K}, or every item of a smaller catalogue)`),
  exclude_seen: z.boolean().default(true).describe("leave out items the user interacted with in training"),
  candidates: z.array(id).max(100_000).optional().describe("rank only these items"),
  features: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .optional()
    .describe("raw user features for a user unseen in training: a two_tower model's user tower ranks from them (cold_start: features)"),
});

function parseRequest(raw: unknown): z.infer<typeof RecommendBody> {
  const r = RecommendBody.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.code === "unrecognized_keys" ? issue.keys[0] : issue.path.join(".") || "body";
  const absent = issue.path.length === 1 && raw !== null && typeof raw === "object" && (raw as Record<PropertyKey, unknown>)[issue.path[0]] === undefined;
  const message = issue.code === "unrecognized_keys" ? `unknown field "${field}"` : absent ? `${field} is required` : `${field}: ${issue.message}`;
  throw new ValidationError(message, { path: field, hint: 'send {"user": "<id>", "k": 10, "exclude_seen": true, "candidates": ["<item>", ...], "features": {"<name>": value}}' });
}

/** The query string of GET /recommend as the body's fields (k and exclude_seen as numbers / booleans, features as JSON). */
function fromQuery(q: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...q };
  if (q.k !== undefined) out.k = /^\d+$/.test(q.k) ? Number(q.k) : q.k;
  if (q.exclude_seen !== undefined) out.exclude_seen = q.exclude_seen === "true" ? true : q.exclude_seen === "false" ? false : q.exclude_seen;
  if (q.candidates !== undefined) out.candidates = q.candidates.split(",");
  if (q.features !== undefined) {
    try {
      out.features = JSON.parse(q.features);
    } catch {
      throw new ValidationError("features: not JSON", { path: "features", hint: 'GET /recommend?user=new&features={"age":31,"plan":"pro"} (URL-encoded)' });
    }
  }
  return out;
}

/** `guard`: the predict-scope token check when scoring needs a token (then recommending does too). */
/** `onList`: served-list monitoring (monitor/served-lists.ts); with it each answer carries an `id` for /feedback. */
export function mountRecommend(app: Hono, models: ModelSource, maxBodyBytes: number, guard: MiddlewareHandler | null, onList?: (l: ServedList) => void): void {
  if (guard) app.use("/recommend", guard);
  const answer = (raw: unknown): Response => {
    const t0 = performance.now();
    const req = parseRequest(raw);
    const served = models.current();
    if (!served) throw noModel();
    const p = served.predictor;
    if (!isRecommenderPredictor(p)) {
      throw new ValidationError(`the served model ${served.provenance.model}@${served.provenance.version} is not a recommender`, {
        path: "model",
        hint: "serve a model trained with task: recommendation, or use POST /predict",
      });
    }
    const k = kFor(req.k, p.recommender.itemIds.length, "k");
    // Candidates the model does not know cannot be ranked: listed in the answer (`unknown`), a 400 when none is known.
    const unknown = req.candidates ? req.candidates.filter((c) => p.recommender.itemCode(c) < 0) : [];
    if (req.candidates && req.candidates.length > 0 && unknown.length === req.candidates.length) {
      throw new ValidationError(`candidates: none of the ${unknown.length} items is known to the model (${unknown.slice(0, 5).map((c) => JSON.stringify(c)).join(", ")}${unknown.length > 5 ? ", …" : ""})`, {
        path: "candidates",
        hint: "send item ids the model was trained on",
      });
    }
    const rec = rankFor(p.recommender, req.user, {
      k,
      excludeSeen: req.exclude_seen,
      ...(req.candidates ? { candidates: req.candidates } : {}),
      ...(req.features ? { features: req.features } : {}),
    });
    const listId = onList ? randomUUID() : undefined;
    const body = { ...(listId ? { id: listId } : {}), ...rec, ...(unknown.length ? { unknown: unknown.slice(0, 100), unknown_count: unknown.length } : {}), k, excludeSeen: req.exclude_seen, provenance: served.provenance, latencyMs: performance.now() - t0 };
    if (onList && listId) {
      const { model, version, alias } = served.provenance;
      onList({ id: listId, model, version, alias, at: new Date().toISOString(), latencyMs: body.latencyMs, user: req.user, k, strategy: rec.strategy, items: rec.items.map((i) => i.item), scores: rec.items.map((i) => i.score) });
    }
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json; charset=utf-8", ...cachedProvenanceHeaders(served.provenance) } });
  };
  app.post("/recommend", async (c) => answer(await readJsonBody(c.req.raw, maxBodyBytes)));
  app.get("/recommend", (c) => answer(fromQuery(c.req.query())));
}
