// `millrace drift` for a recommender: the interactions of dataset.table's latest version that a model version did not
// learn from (new since its training, and its held-out pairs; `since` keeps those at or after a time of dataset.time)
// against that version's training interactions, as the served-list monitor compares them (monitor/interaction-drift.ts).
import { ConfigError, NotFoundError } from "../errors.js";
import { interactionDrift, modelInteractionReference, type InteractionDrift } from "../monitor/interaction-drift.js";
import { trainedOn } from "../recommend/compare.js";
import { frameInteractions } from "../recommend/frame.js";
import { loadRecommender } from "../recommend/model.js";
import type { ModelVersion } from "../records.js";
import { driftOptionsOf } from "./drift.js";
import type { Workspace } from "./workspace.js";

export interface RecommenderDrift {
  model: string;
  version: number;
  /** The table version read: `<table>@<version>`. */
  table: string;
  /** Rows of that version, and those compared (not trained on by the model, at or after `since`). */
  tableRows: number;
  since: string | null;
  /** Below monitor.min_rows the statistics are shown but judge nothing. */
  enoughRows: boolean;
  minRows: number;
  report: InteractionDrift;
}

export async function recommenderDrift(ws: Workspace, mv: ModelVersion, opts: { since?: string } = {}): Promise<RecommenderDrift> {
  const cfg = ws.project.config;
  const ds = cfg.dataset;
  if (ds.task !== "recommendation") throw new ConfigError("recommender drift needs dataset.task: recommendation", { path: "dataset.task" });
  const r = await ws.meta();
  const model = loadRecommender(await r.registry.loadArtifact(mv));
  const lake = await ws.lake();
  const version = await lake.current(ds.table);
  if (!version) throw new NotFoundError(`${ds.table} has no version yet`, { hint: `millrace run ${ws.project.dir}` });
  let since = NaN;
  if (opts.since !== undefined) {
    if (!ds.time) throw new ConfigError("--since needs dataset.time (the interactions' time column)", { path: "dataset.time" });
    since = Date.parse(opts.since);
    if (Number.isNaN(since)) throw new ConfigError(`--since "${opts.since}" is not a time`, { path: "since", hint: "an ISO time, e.g. 2026-11-01" });
  }
  const rating = ds.rating === "none" ? null : ds.rating;
  const wanted = [ds.user, ds.item, rating, opts.since !== undefined ? ds.time : null].filter((c): c is string => typeof c === "string");
  const frame = await lake.readFrame({ table: version.table, version: version.version }, { columns: [...new Set(wanted)] });
  const { table } = frameInteractions(frame, { user: ds.user, item: ds.item, rating, time: opts.since !== undefined ? ds.time ?? null : null, weight: null });
  const keep: number[] = [];
  for (let j = 0; j < table.users.length; j++) {
    if (trainedOn(model, table.users[j], table.items[j])) continue;
    // The time column as stored: epoch milliseconds (timestamps, parsed text) compared with the parsed `since`.
    if (table.time && !(table.time[j] >= since)) continue;
    keep.push(j);
  }
  const current = {
    users: keep.map((j) => table.users[j]),
    items: keep.map((j) => table.items[j]),
    ratings: table.ratings ? Float64Array.from(keep, (j) => table.ratings![j]) : null,
  };
  const report = interactionDrift(modelInteractionReference(model), current, { thresholds: driftOptionsOf(cfg).thresholds });
  const minRows = cfg.monitor.min_rows;
  return {
    model: mv.name, version: mv.version, table: `${version.table}@${version.version}`, tableRows: table.users.length, since: opts.since ?? null,
    enoughRows: keep.length >= minRows, minRows, report,
  };
}
