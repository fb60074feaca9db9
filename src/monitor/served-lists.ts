// Monitoring of served recommendation lists: each /recommend answer goes to the prediction log (one line per list)
// and into a window per model version, from which come catalogue coverage and popularity skew of what was served
// (vs the training interactions), drift of the served scores from the model's top-K scores over training users
// (PSI, KS), and — when clicked / rated items are posted to /feedback with the list's id — live precision@K. The users
// asking and the posted interactions are compared with the training interactions too (interaction-drift.ts).
import type { Registry } from "prom-client";
import { Counter, Gauge, type Metric } from "prom-client";
import { ValidationError } from "../errors.js";
import { Rng } from "../learn/rng.js";
import type { RecommenderModel } from "../recommend/model.js";
import { ksTest, psiNumeric } from "./drift-stats.js";
import { interactionDrift, modelInteractionReference, type InteractionDrift, type InteractionReference } from "./interaction-drift.js";
import { monitorMetrics } from "./metrics.js";
import type { LoggedRequest } from "./prediction-log.js";

/** One answered /recommend request. */
export interface ServedList {
  id: string;
  model: string;
  version: number;
  alias: string | null;
  at: string;
  latencyMs: number;
  user: string;
  k: number;
  /** model | popularity | features: how the list was made (cold start is not the model's ranking). */
  strategy: string;
  items: readonly string[];
  scores: readonly number[];
}

/** What a version's served lists are compared with: its training interactions and its own top-K over training users. */
export interface ListReference {
  catalogue: number;
  /** The most popular tenth of the catalogue by training interactions (the "head"). */
  head: ReadonlySet<string>;
  /** Share of training interactions on head items. */
  headShareTrain: number;
  /** Top-K scores over a sample of training users, sorted: the score distribution at training. */
  scores: Float64Array;
  /** The training interactions, summarised: what requests and feedback are compared with. */
  interactions: InteractionReference;
}

export interface ServedListStats {
  lists: number;
  /** Distinct items served / catalogue size. */
  coverage: number;
  /** Share of served slots taken by head items, and the same share among training interactions. */
  headShare: number;
  headShareTrain: number;
  /** Gini coefficient of how often each catalogue item was served (0 = evenly, 1 = always the same item). */
  gini: number;
  scoreDrift: { psi: number; ksPValue: number; drifted: boolean } | null;
  feedback: { lists: number; precision: number | null; hitRate: number | null };
  /**
   * Drift against the training interactions: of the users asking (new-user share = cold starts, how active they were
   * in training) over the latest lists, and of the interactions posted as feedback (items, ratings when sent). null
   * below minLists lists (interactions).
   */
  interactions: { requests: InteractionDrift | null; feedback: InteractionDrift | null };
}

/** The reference of a trained recommender: popularity head from training counts, top-K scores of up to `users` users. */
export function listReference(model: RecommenderModel, k = 10, users = 500, seed = 7): ListReference {
  const n = model.itemIds.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => model.popularity[b] - model.popularity[a] || a - b);
  const headSize = Math.max(1, Math.round(n / 10));
  const head = new Set<string>();
  let headCount = 0;
  let total = 0;
  for (let x = 0; x < n; x++) {
    total += model.popularity[order[x]];
    if (x < headSize) (head.add(model.itemIds[order[x]]), (headCount += model.popularity[order[x]]));
  }
  const sample = new Rng(seed).shuffle(Int32Array.from({ length: model.userIds.length }, (_, u) => u)).subarray(0, Math.min(users, model.userIds.length));
  const scores: number[] = [];
  for (const u of sample) for (const it of model.recommend(model.userIds[u], { k }).items) scores.push(it.score);
  return { catalogue: n, head, headShareTrain: total ? headCount / total : 0, scores: Float64Array.from(scores).sort(), interactions: modelInteractionReference(model) };
}

interface Window {
  lists: ServedList[];
  /** Item → times served in the window. */
  counts: Map<string, number>;
  labelled: { hits: number; k: number }[];
  /** Interactions posted as feedback (the list's user, each clicked / rated item, its rating or NaN), latest `window × 10`. */
  posted: { users: string[]; items: string[]; ratings: number[] };
  /** Lists and feedback recorded so far, and the interaction drift computed at that count (its permutations cost 0.3-0.7 s CPU on InstEval). */
  changes: number;
  interactions?: { at: number; value: ServedListStats["interactions"] };
}

export interface ServedListOptions {
  /** The prediction log: one line per served list. */
  log?: { logRequest(r: LoggedRequest): void };
  /** The served recommender of a version, for its reference (computed once per version). */
  model?: (name: string, version: number) => RecommenderModel | undefined;
  registry?: Registry;
  /** Latest lists per version the statistics cover; default 5,000. */
  window?: number;
  /** Lists remembered for feedback joins; default 200,000. */
  capacity?: number;
  /** Fewest served lists before score drift gives a verdict; default 100. */
  minLists?: number;
  /** Served scores drifted when their PSI against training reaches this; default 0.2 (monitor.drift.psi_threshold). */
  psiThreshold?: number;
  /** Thresholds of the interaction drift's methods (monitor.drift); PSI's defaults to psiThreshold. */
  thresholds?: Partial<Record<"psi" | "jensenshannon" | "ks" | "wasserstein" | "chisquare" | "z", number>>;
}

const once = <M extends Metric<string>>(registry: Registry, name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();

function gauges(registry: Registry) {
  const r = [registry];
  const g = (name: string, help: string) => once(registry, name, () => new Gauge({ name, help, aggregator: "max", labelNames: ["model", "version"], registers: r }));
  return {
    lists: once(registry, "millrace_recommend_lists_total", () => new Counter({ name: "millrace_recommend_lists_total", help: "Recommendation lists served, by strategy", labelNames: ["model", "version", "strategy"], registers: r })),
    coverage: g("millrace_recommend_coverage", "Distinct items served / catalogue, over the latest served lists"),
    headShare: g("millrace_recommend_head_share", "Share of served slots on the most popular tenth of the catalogue"),
    headShareTrain: g("millrace_recommend_head_share_train", "Share of training interactions on the most popular tenth of the catalogue"),
    gini: g("millrace_recommend_gini", "Gini coefficient of how often each catalogue item was served"),
    scorePsi: g("millrace_recommend_score_psi", "PSI of served scores vs the model's top-K scores over training users"),
    scoreDrift: g("millrace_recommend_score_drift", "1 when the PSI of served scores vs training reached the threshold"),
    newUsers: g("millrace_recommend_new_user_share", "Share of the latest requests by users unknown to the model (cold starts)"),
    interactionDrift: once(registry, "millrace_recommend_interaction_drift", () => new Gauge({
      name: "millrace_recommend_interaction_drift", help: "1 when a part of the requests or feedback interactions drifted from the training interactions",
      aggregator: "max", labelNames: ["model", "version", "source", "part"], registers: r,
    })),
  };
}

export class ServedListMonitor {
  private readonly windows = new Map<string, Window>();
  private readonly recent = new Map<string, ServedList>();
  private readonly references = new Map<string, ListReference | null>();
  private readonly size: number;
  private readonly capacity: number;
  private readonly g: ReturnType<typeof gauges> | null;

  constructor(private readonly opts: ServedListOptions = {}) {
    this.size = opts.window ?? 5000;
    this.capacity = opts.capacity ?? 200_000;
    this.g = opts.registry ? gauges(opts.registry) : null;
  }

  /** Called by /recommend after answering: logged, windowed, remembered for feedback. Never throws. */
  record(list: ServedList): void {
    const key = `${list.model}@${list.version}`;
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = { lists: [], counts: new Map(), labelled: [], posted: { users: [], items: [], ratings: [] }, changes: 0 }));
    w.changes++;
    w.lists.push(list);
    for (const it of list.items) w.counts.set(it, (w.counts.get(it) ?? 0) + 1);
    if (w.lists.length > this.size) {
      for (const it of w.lists.shift()!.items) {
        const c = w.counts.get(it)! - 1;
        if (c === 0) w.counts.delete(it);
        else w.counts.set(it, c);
      }
    }
    if (this.recent.size >= this.capacity) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(list.id, list);
    this.g?.lists.labels(list.model, String(list.version), list.strategy).inc();
    this.opts.log?.logRequest({
      model: list.model, version: list.version, alias: list.alias, at: list.at, latencyMs: list.latencyMs, ids: [list.id], records: [{ user: list.user, k: list.k }], outputs: [],
      requestJson: JSON.stringify({ user: list.user, k: list.k }),
      responseJson: JSON.stringify({ id: list.id, strategy: list.strategy, items: list.items, scores: list.scores }),
    });
  }

  /** A /feedback body about lists: entries carry `items` (what the user clicked or rated), not a label. */
  static isListFeedback(body: unknown): boolean {
    const list = (body as { feedback?: unknown } | null)?.feedback;
    return Array.isArray(list) && list.length > 0 && typeof list[0] === "object" && list[0] !== null && "items" in list[0];
  }

  /** `{"feedback":[{"id":"<list id>","items":["<clicked item>", ...]}]}`: each joined once to its served list. */
  handle(body: unknown): { joined: number; unknown: string[] } {
    const entries = parseListFeedback(body);
    const out = { joined: 0, unknown: [] as string[] };
    const touched = new Set<string>();
    for (const e of entries) {
      const served = this.recent.get(e.id);
      if (!served) {
        out.unknown.push(e.id);
        continue;
      }
      this.recent.delete(e.id);
      const clicked = new Set(e.items);
      const hits = served.items.reduce((n, it) => n + (clicked.has(it) ? 1 : 0), 0);
      const key = `${served.model}@${served.version}`;
      const w = this.windows.get(key)!;
      w.labelled.push({ hits, k: served.k });
      w.changes++;
      if (w.labelled.length > this.size) w.labelled.shift();
      const p = w.posted;
      e.items.forEach((it, x) => (p.users.push(served.user), p.items.push(it), p.ratings.push(e.ratings?.[x] ?? NaN)));
      // Trimmed in batches (a tenth over the bound), not one shift per interaction.
      if (p.users.length > this.size * 11) for (const a of [p.users, p.items, p.ratings]) a.splice(0, a.length - this.size * 10);
      touched.add(key);
      out.joined++;
    }
    if (this.opts.registry) for (const key of touched) this.publishLive(key);
    return out;
  }

  private publishLive(key: string): void {
    const [model, version] = splitKey(key);
    const s = this.feedbackOf(this.windows.get(key)!);
    const m = monitorMetrics(this.opts.registry!);
    const k = this.windows.get(key)!.labelled.at(-1)!.k;
    if (s.precision !== null) m.liveMetric.labels(model, String(version), `precision_at_${k}`).set(s.precision);
    if (s.hitRate !== null) m.liveMetric.labels(model, String(version), `hit_rate_at_${k}`).set(s.hitRate);
  }

  private feedbackOf(w: Window): ServedListStats["feedback"] {
    const n = w.labelled.length;
    if (!n) return { lists: 0, precision: null, hitRate: null };
    let p = 0;
    let h = 0;
    for (const l of w.labelled) (p += l.hits / l.k), (h += l.hits > 0 ? 1 : 0);
    return { lists: n, precision: p / n, hitRate: h / n };
  }

  private reference(model: string, version: number): ListReference | null {
    const key = `${model}@${version}`;
    if (!this.references.has(key)) {
      const m = this.opts.model?.(model, version);
      this.references.set(key, m ? listReference(m) : null);
    }
    return this.references.get(key)!;
  }

  /** The statistics of one version's latest served lists (null before it served any). */
  stats(model: string, version: number): ServedListStats | null {
    const w = this.windows.get(`${model}@${version}`);
    if (!w) return null;
    const ref = this.reference(model, version);
    let slots = 0;
    let headSlots = 0;
    for (const [it, c] of w.counts) (slots += c), (headSlots += ref?.head.has(it) ? c : 0);
    const catalogue = ref?.catalogue ?? w.counts.size;
    // Gini over the whole catalogue: items never served count as 0.
    const counts = new Float64Array(catalogue);
    let x = catalogue - w.counts.size;
    for (const c of w.counts.values()) if (x < catalogue) counts[x++] = c;
    counts.sort();
    let cum = 0;
    for (let i = 0; i < catalogue; i++) cum += (2 * (i + 1) - catalogue - 1) * counts[i];
    const gini = slots > 0 && catalogue > 1 ? cum / (catalogue * slots) : 0;
    // Drift of the model's own scores: cold-start lists (popularity counts) are another scale, left out.
    const served = Float64Array.from(w.lists.filter((l) => l.strategy === "model").flatMap((l) => l.scores)).sort();
    let scoreDrift: ServedListStats["scoreDrift"] = null;
    if (ref && ref.scores.length > 0 && served.length >= (this.opts.minLists ?? 100)) {
      const psi = psiNumeric(ref.scores, served);
      const ks = ksTest(ref.scores, served);
      // PSI decides (monitor.drift.psi_threshold): over thousands of scores KS rejects for shifts too small to matter.
      scoreDrift = { psi, ksPValue: ks.pValue, drifted: psi >= (this.opts.psiThreshold ?? 0.2) };
    }
    return {
      lists: w.lists.length,
      coverage: catalogue ? w.counts.size / catalogue : 0,
      headShare: slots ? headSlots / slots : 0,
      headShareTrain: ref?.headShareTrain ?? NaN,
      gini,
      scoreDrift,
      feedback: this.feedbackOf(w),
      interactions: ref ? this.interactionsOf(w, ref.interactions) : { requests: null, feedback: null },
    };
  }

  private interactionsOf(w: Window, ref: InteractionReference): ServedListStats["interactions"] {
    if (w.interactions?.at === w.changes) return w.interactions.value;
    const min = this.opts.minLists ?? 100;
    const opts = { thresholds: { psi: this.opts.psiThreshold ?? 0.2, ...this.opts.thresholds } };
    const requests = w.lists.length >= min ? interactionDrift(ref, { users: w.lists.map((l) => l.user), items: [], ratings: null }, opts) : null;
    const p = w.posted;
    // Ratings only when every posted interaction carried one (clicks alone say nothing about the rating scale).
    const rated = p.ratings.length > 0 && p.ratings.every(Number.isFinite);
    const feedback = p.users.length >= min ? interactionDrift(ref, { users: p.users, items: p.items, ratings: rated ? Float64Array.from(p.ratings) : null }, opts) : null;
    w.interactions = { at: w.changes, value: { requests, feedback } };
    return { requests, feedback };
  }

  /** Sets the gauges of every version that served lists (the serving process calls it on its monitor interval). */
  publish(): void {
    if (!this.g) return;
    for (const key of this.windows.keys()) {
      const [model, version] = splitKey(key);
      const s = this.stats(model, version)!;
      const labels = [model, String(version)] as const;
      this.g.coverage.labels(...labels).set(s.coverage);
      this.g.headShare.labels(...labels).set(s.headShare);
      if (Number.isFinite(s.headShareTrain)) this.g.headShareTrain.labels(...labels).set(s.headShareTrain);
      this.g.gini.labels(...labels).set(s.gini);
      if (s.scoreDrift) {
        this.g.scorePsi.labels(...labels).set(s.scoreDrift.psi);
        this.g.scoreDrift.labels(...labels).set(s.scoreDrift.drifted ? 1 : 0);
      }
      if (s.interactions.requests?.newUsers) this.g.newUsers.labels(...labels).set(s.interactions.requests.newUsers.share);
      for (const [source, d] of Object.entries(s.interactions)) {
        if (!d) continue;
        for (const part of ["rating", "items", "itemPopularity", "userActivity", "newUsers", "newItems"] as const) {
          if (d[part]) this.g.interactionDrift.labels(model, String(version), source, part).set(d[part]!.drifted ? 1 : 0);
        }
      }
    }
  }

  /** Every version's statistics, for GET /monitor/recommendations. */
  report(): { model: string; version: number; stats: ServedListStats }[] {
    return [...this.windows.keys()].map((key) => {
      const [model, version] = splitKey(key);
      return { model, version, stats: this.stats(model, version)! };
    });
  }
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf("@");
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

/** The fields a served list's feedback entry may hold (what parseListFeedback reads). */
export const LIST_FEEDBACK_FIELDS: readonly string[] = ["id", "items", "ratings"];

/** Validates list feedback; errors name the entry (`feedback[2].items`). `ratings`, when sent, pairs with `items`. */
export function parseListFeedback(body: unknown): { id: string; items: string[]; ratings?: number[] }[] {
  const list = (body as { feedback?: unknown } | null)?.feedback;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ValidationError("feedback must be a non-empty array", { path: "feedback", hint: 'send {"feedback":[{"id":"<list id from /recommend>","items":["<clicked item>"]}]}' });
  }
  return list.map((x: unknown, i) => {
    const where = `feedback[${i}]`;
    const e = x as { id?: unknown; items?: unknown; ratings?: unknown } | null;
    if (e === null || typeof e !== "object") throw new ValidationError(`${where} must be an object`, { path: where });
    if (typeof e.id !== "string" || e.id === "") throw new ValidationError(`${where}.id must be the id of a /recommend answer`, { path: `${where}.id` });
    if (!Array.isArray(e.items) || !e.items.every((it) => typeof it === "string" || typeof it === "number")) {
      throw new ValidationError(`${where}.items must be a list of item ids (what the user clicked or rated)`, { path: `${where}.items` });
    }
    if (e.ratings !== undefined && (!Array.isArray(e.ratings) || e.ratings.length !== e.items.length || !e.ratings.every((r) => typeof r === "number" && Number.isFinite(r)))) {
      throw new ValidationError(`${where}.ratings must be numbers, one per item of ${where}.items`, { path: `${where}.ratings` });
    }
    return { id: e.id, items: e.items.map(String), ...(e.ratings ? { ratings: e.ratings as number[] } : {}) };
  });
}

/** The recommender a serving process currently answers with for `version` (primary, canary or shadow). */
export function servedRecommender(sources: ReadonlyArray<{ current(): { provenance: { version: number }; predictor: unknown } | null | undefined } | null | undefined>, version: number): RecommenderModel | undefined {
  for (const s of sources) {
    const served = s?.current();
    const p = served?.predictor as { recommender?: RecommenderModel } | undefined;
    if (served?.provenance.version === version && p?.recommender) return p.recommender;
  }
  return undefined;
}
