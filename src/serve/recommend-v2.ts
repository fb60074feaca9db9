// The top-K form of KServe V2 infer on a served recommender: only the user tensor → per user the K best items
// (`items` BYTES [n, K], `scores` FP64 [n, K]) and how each list was made (`cold_start` BYTES [n]), ranked by the
// same path as /recommend (rankFor). With both user and item tensors the request stays a pair score (v2-infer.ts).
import { randomUUID } from "node:crypto";
import { ValidationError } from "../errors.js";
import { isRecommenderPredictor, type RecommenderPredictor } from "../recommend/predictor.js";
import type { Answer } from "./predict.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import { DEFAULT_K, kFor, MAX_RECOMMEND_K as MAX_K, rankFor } from "./recommend.js";
import type { ServedModel } from "./types.js";

/** The largest K the index ranks (recommend-index.ts refuses more). */
const OUTPUTS = ["items", "scores", "cold_start"] as const;
const HINT = (user: string) => `send {"inputs":[{"name":"${user}","datatype":"BYTES","shape":[n],"data":["<user>",...]}],"parameters":{"k":${DEFAULT_K},"exclude_seen":true}}`;

type Tensor = { name?: unknown; datatype?: unknown; shape?: unknown; data?: unknown };

/** The tensors of a V2 body by name (null when the body has none: answerV2's own checks then name the problem). */
function tensorsOf(body: unknown): Map<string, { at: number; t: Tensor }> | null {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) return null;
  const out = new Map<string, { at: number; t: Tensor }>();
  inputs.forEach((t: unknown, at) => {
    const name = (t as Tensor | null)?.name;
    if (typeof name === "string") out.set(name, { at, t: t as Tensor });
  });
  return out;
}

/** The users of the user tensor (BYTES or INT64, shape [n] or [n, 1]) as ids; errors name the tensor. */
function usersOf(t: Tensor, at: number): string[] {
  const where = `inputs[${at}]`;
  if (t.datatype !== "BYTES" && t.datatype !== "INT64") throw new ValidationError(`${where}.datatype must be BYTES or INT64 (user ids), got ${String(t.datatype)}`, { path: `${where}.datatype` });
  const shape = t.shape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 2 || !Number.isInteger(shape[0]) || shape[0] < 1 || (shape.length === 2 && shape[1] !== 1)) {
    throw new ValidationError(`${where}.shape must be [n] or [n, 1] with n ≥ 1`, { path: `${where}.shape` });
  }
  const data = Array.isArray(t.data) && Array.isArray(t.data[0]) ? (t.data as unknown[][]).flat() : t.data;
  if (!Array.isArray(data) || data.length !== shape[0]) throw new ValidationError(`${where}.data must hold ${String(shape[0])} user ids as its shape says`, { path: `${where}.data` });
  return data.map((v: unknown, i) => {
    const ok = t.datatype === "INT64" ? Number.isSafeInteger(v) : typeof v === "string" && v !== "";
    if (!ok) throw new ValidationError(`${where}.data[${i}] must be a user id (${t.datatype === "INT64" ? "an integer" : "a non-empty string"})`, { path: `${where}.data[${i}]` });
    return String(v);
  });
}

function paramsOf(body: unknown, catalogue: number): { k: number; excludeSeen: boolean } {
  const p = (body as { parameters?: unknown }).parameters ?? {};
  if (p === null || typeof p !== "object" || Array.isArray(p)) throw new ValidationError("parameters must be an object", { path: "parameters" });
  const { k: asked, exclude_seen = true } = p as { k?: unknown; exclude_seen?: unknown };
  if (asked !== undefined && (typeof asked !== "number" || !Number.isInteger(asked) || asked < 1)) throw new ValidationError(`parameters.k must be a positive integer, got ${JSON.stringify(asked)}`, { path: "parameters.k" });
  // Refused rather than clamped: the [n, K] shape the client asked for is the shape it gets (unasked: the default,
  // capped at the catalogue).
  const k = kFor(asked as number | undefined, catalogue, "parameters.k");
  if (typeof exclude_seen !== "boolean") throw new ValidationError("parameters.exclude_seen must be true or false", { path: "parameters.exclude_seen" });
  return { k, excludeSeen: exclude_seen };
}

function wantedOutputs(body: unknown): ReadonlyArray<string> {
  const requested = (body as { outputs?: unknown }).outputs;
  if (!Array.isArray(requested) || requested.length === 0) return OUTPUTS;
  return requested.map((o: unknown, j) => {
    const n = (o as { name?: unknown } | null)?.name;
    if (typeof n !== "string" || !(OUTPUTS as readonly string[]).includes(n)) throw new ValidationError(`outputs[${j}].name must be one of ${OUTPUTS.join(", ")}`, { path: `outputs[${j}].name` });
    return n;
  });
}

/**
 * The top-K answer when `body` asks a served recommender for lists (its user tensor without an item tensor), else
 * null (a pair score, or not a recommender). A list shorter than K (the user has seen most of the catalogue) is padded
 * with item "" and score null, and `parameters.short_lists` counts those rows.
 */
export function answerV2TopK(served: ServedModel, body: unknown, t0: number): Answer | null {
  const p = served.predictor;
  if (!isRecommenderPredictor(p)) return null;
  const tensors = tensorsOf(body);
  const { user, item } = p.recommender.info.columns;
  if (!tensors || tensors.has(item)) return null;
  const found = tensors.get(user);
  if (!found) {
    throw new ValidationError(`no input tensor named ${user}: a recommender ranks for the ${user} tensor (add ${item} for pair scores)`, { path: "inputs", hint: HINT(user) });
  }
  for (const name of tensors.keys()) {
    if (name !== user) throw new ValidationError(`input tensor ${name} is not an input of this recommender (${user}, ${item})`, { path: `inputs[${tensors.get(name)!.at}].name`, hint: HINT(user) });
  }
  const users = usersOf(found.t, found.at);
  const { k, excludeSeen } = paramsOf(body, p.recommender.itemIds.length);
  const want = wantedOutputs(body);
  return { text: topKJson(p, served, body, users, k, excludeSeen, want, t0), headers: cachedProvenanceHeaders(served.provenance) };
}

function topKJson(p: RecommenderPredictor, served: ServedModel, body: unknown, users: string[], k: number, excludeSeen: boolean, want: ReadonlyArray<string>, t0: number): string {
  const n = users.length;
  const items: string[] = new Array(n * k);
  const scores: Array<number | null> = new Array(n * k);
  const coldStart: string[] = new Array(n);
  let cold = 0;
  let short = 0;
  for (let u = 0; u < n; u++) {
    const rec = rankFor(p.recommender, users[u], { k, excludeSeen });
    coldStart[u] = rec.cold_start ?? "";
    if (rec.cold_start) cold++;
    if (rec.items.length < k) short++;
    for (let r = 0; r < k; r++) {
      const it = rec.items[r];
      items[u * k + r] = it ? it.item : "";
      scores[u * k + r] = it && Number.isFinite(it.score) ? it.score : null;
    }
  }
  const tensor: Record<string, unknown> = {
    items: { name: "items", datatype: "BYTES", shape: [n, k], data: items },
    scores: { name: "scores", datatype: "FP64", shape: [n, k], data: scores },
    cold_start: { name: "cold_start", datatype: "BYTES", shape: [n], data: coldStart, parameters: { values: '"" (known user), "popularity" (unknown user: the most popular items, as /recommend)' } },
  };
  const pv = served.provenance;
  const id = (body as { id?: unknown }).id;
  return JSON.stringify({
    model_name: pv.model,
    model_version: String(pv.version),
    id: typeof id === "string" ? id : randomUUID(),
    parameters: {
      run_id: pv.runId, artifact_uri: pv.artifactUri, alias: pv.alias, dataset_id: pv.datasetId, dataset_hash: pv.datasetHash,
      form: "top_k", k, exclude_seen: excludeSeen, cold_start_users: cold, ...(short ? { short_lists: short } : {}), latency_ms: performance.now() - t0,
    },
    outputs: want.map((w) => tensor[w]),
  });
}

/** What GET /v2/models/{name} adds for a recommender: the top-K outputs and a line saying how to ask for them. */
export function recommenderV2Metadata(served: ServedModel): { outputs: unknown[]; parameters: Record<string, string | number> } | null {
  const p = served.predictor;
  if (!isRecommenderPredictor(p)) return null;
  const { user, item } = p.recommender.info.columns;
  return {
    outputs: [
      { name: "items", datatype: "BYTES", shape: [-1, -1], parameters: { form: "top_k" } },
      { name: "scores", datatype: "FP64", shape: [-1, -1], parameters: { form: "top_k" } },
      { name: "cold_start", datatype: "BYTES", shape: [-1], parameters: { form: "top_k" } },
    ],
    parameters: {
      forms: "pair, top_k",
      pair: `inputs ${user} and ${item} → output value (the model's score for each pair)`,
      top_k: `input ${user} alone (BYTES or INT64) → outputs items and scores [n, k], cold_start [n]; parameters.k (default ${DEFAULT_K}, at most ${Math.min(MAX_K, p.recommender.itemIds.length)}), parameters.exclude_seen (default true)`,
      default_k: DEFAULT_K,
    },
  };
}
