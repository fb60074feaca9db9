// Tracked runs for the dashboard: a sortable, filterable listing (search trials folded under their parent run),
// one run with its metric series, dataset, trials and registered versions, and several runs side by side.
import type { Hono } from "hono";
import { compareRuns, metricKeysOf } from "../app/run-compare.js";
import type { MetricPoint, Run } from "../records.js";
import { Registry } from "../registry/registry.js";
import type { MetadataStore, RunQuery } from "../store/metadata-store.js";
import type { UiData } from "./data.js";
import { choiceParam, handle, intParam, notFound, parseWhere } from "./http.js";
import type { CompareResponse, RunDetail, RunsResponse } from "./types.js";

/** Metrics a run logged at more than one step, by key (MLflow's metric history; the tracker's metricHistory reads the same rows). */
async function historyOf(meta: MetadataStore, run: Run): Promise<Record<string, MetricPoint[]>> {
  const out: Record<string, MetricPoint[]> = {};
  for (const key of Object.keys(run.metrics).sort()) {
    const points = await meta.metricHistory(run.id, key);
    if (points.length > 1) out[key] = points;
  }
  return out;
}

/**
 * Which multi-step series of a run are CV folds (`cv_<metric>`, a fold per step) and which are learning curves (a
 * loss per boosting round or epoch, e.g. train_binary_logloss, valid_binary_logloss): they are drawn apart.
 */
export function splitHistory(history: Record<string, MetricPoint[]>): { series: Record<string, MetricPoint[]>; curves: RunDetail["curves"] } {
  const series: Record<string, MetricPoint[]> = {};
  const curves: RunDetail["curves"] = {};
  for (const [k, points] of Object.entries(history)) {
    if (k.startsWith("cv_")) series[k] = points;
    else curves[k] = points.map((p) => ({ step: p.step, value: p.value }));
  }
  return { series, curves };
}

async function getRunOr404(meta: MetadataStore, id: string): Promise<Run> {
  const run = await meta.getRun(id);
  if (!run) throw notFound(`no run ${id}`, "list the runs with: millrace runs (a deleted run is gone for good)");
  return run;
}

export function runsRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/runs",
    handle(async (c): Promise<RunsResponse> => {
      const { meta } = await data.meta();
      const limit = intParam(c, "limit", 200, 1, 5000);
      const parent = c.req.query("parent");
      const sort = c.req.query("sort");
      const order = choiceParam(c, "order", ["asc", "desc"] as const);
      const status = choiceParam(c, "status", ["running", "finished", "failed"] as const);
      const experiment = c.req.query("experiment");
      const where = parseWhere(c.req.query("where") ?? "");
      const query: RunQuery = {
        // Top-level runs by default; ?parent=<id> lists one run's search trials, ?parent=all every run.
        ...(parent === "all" ? {} : { parentRunId: parent || null }),
        ...(experiment ? { experiment } : {}),
        ...(status ? { status } : {}),
        ...(where.length ? { metricFilters: where } : {}),
        ...(sort && sort !== "started" ? { sortByMetric: sort } : {}),
        ...(order ? { order } : {}),
        limit: limit + 1,
        offset: intParam(c, "offset", 0, 0, Number.MAX_SAFE_INTEGER),
      };
      const found = await meta.listRuns(query);
      const runs = found.slice(0, limit);
      return { runs, hasMore: found.length > limit, metricKeys: metricKeysOf(runs) };
    }, log),
  );

  api.get(
    "/runs/:id",
    handle(async (c): Promise<RunDetail> => {
      const { meta } = await data.meta();
      const run = await getRunOr404(meta, c.req.param("id") ?? "");
      const [parent, dataset, children, history, versions] = await Promise.all([
        run.parentRunId ? meta.getRun(run.parentRunId) : Promise.resolve(null),
        run.datasetId ? meta.getDataset(run.datasetId) : Promise.resolve(null),
        meta.listRuns({ parentRunId: run.id, order: "asc", limit: 1000 }),
        historyOf(meta, run),
        meta.listModelVersions(),
      ]);
      const { series, curves } = splitHistory(history);
      return {
        run,
        parent: parent ? { id: parent.id, name: parent.name, status: parent.status } : null,
        dataset,
        children,
        series,
        curves,
        models: versions.filter((v) => v.runId === run.id).map((v) => ({ name: v.name, version: v.version, aliases: v.aliases, stage: Registry.stageOf(v) })),
      };
    }, log),
  );

  api.get(
    "/compare",
    handle(async (c): Promise<CompareResponse> => {
      const ids = (c.req.query("ids") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      const { meta } = await data.meta();
      return compareRuns(meta, ids, (id) => getRunOr404(meta, id));
    }, log),
  );
}
