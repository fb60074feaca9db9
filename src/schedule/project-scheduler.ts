// A project's scheduler, wired: its pipelines' cron schedules and asset triggers, runs on one set of open resources
// (so back-to-back runs do not reopen the stores), the admission limits (max_active_runs, pools) asked before a tick
// is claimed. Used by `millrace scheduler` and `millrace up`.
import type { Clock } from "../flow/clock.js";
import { runPipeline } from "../flow/pipeline.js";
import { pipelinesOf, type PipelineDef } from "../flow/pipelines.js";
import { openResources, type Resources } from "../flow/resources.js";
import type { Project } from "../project/load-project.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { orchestrationOf } from "../store/orchestration.js";
import { schedulesOf } from "./due-ticks.js";
import { Scheduler, type RunOutcome, type ScheduledRun, type SchedulerEvent, type SchedulerOptions } from "./scheduler.js";
import { slaAlerts } from "./sla-alerts.js";

/** The current version of an asset: `model:NAME@ALIAS` is the version the alias points at, else a table's version. */
export async function assetVersion(r: Pick<Resources, "lake" | "registry">, asset: string): Promise<string | null> {
  const model = /^model:([^@]+)@(.+)$/.exec(asset);
  if (model) return (await r.registry.aliasVersion(model[1], model[2]))?.version.toString() ?? null;
  return (await r.lake.current(asset))?.version.toString() ?? null;
}

export interface ProjectScheduler {
  scheduler: Scheduler;
  /** How many pipelines have a schedule or an asset trigger (0: nothing would ever fire). */
  triggers: number;
  describe(): string;
  close(): Promise<void>;
}

export async function openProjectScheduler(
  project: Project,
  opts: { onEvent?: (e: SchedulerEvent) => void; clock?: Clock; onRun?: (run: ScheduledRun, outcome: RunOutcome) => void } = {},
): Promise<ProjectScheduler> {
  const r = await openResources(project);
  const cfg = project.config;
  const orchestration = orchestrationOf(r.meta);
  const pipelines = pipelinesOf(cfg);
  const schedules = schedulesOf(cfg);
  const assetTriggers = pipelines.filter((p) => p.assets.length > 0).map((p) => ({ pipeline: p.name, assets: p.assets }));
  const scheduler = new Scheduler({
    meta: r.meta,
    project: cfg.name,
    schedules,
    assetTriggers,
    assetVersion: (asset) => assetVersion(r, asset),
    assetClaims: orchestration,
    ...(opts.clock ? { clock: opts.clock } : {}),
    busy: async (name) => {
      const def = pipelines.find((p) => p.name === name);
      if (!def) return null;
      const active = await orchestration.activeRuns(cfg.name, name);
      if (active.length >= def.maxActiveRuns) return `${active.length} run(s) going (max_active_runs: ${def.maxActiveRuns})`;
      const size = def.pool ? cfg.pools[def.pool] : undefined;
      if (def.pool && size !== undefined && (await orchestration.poolSlotsInUse(def.pool)) >= size) return `pool ${def.pool} is full (${size} slot(s))`;
      return null;
    },
    startRun: async (run) => {
      const s = await runPipeline(r, { pipeline: run.pipeline, trigger: run.trigger, runId: run.runId });
      const outcome: RunOutcome = { status: s.status === "succeeded" ? "succeeded" : "failed", ...(s.failure ? { error: s.failure.message } : s.status === "cancelled" ? { error: "cancelled" } : {}) };
      opts.onRun?.(run, outcome);
      return outcome;
    },
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...slaOptions(r.meta, cfg, pipelines),
  });
  return {
    scheduler,
    triggers: schedules.length + assetTriggers.length,
    describe: () =>
      [
        ...schedules.map((s) => `${s.pipeline}: "${s.cron}" (${s.timezone}${s.catchup ? ", catchup" : ""})`),
        ...assetTriggers.map((a) => `${a.pipeline}: on new ${a.assets.join(", ")}`),
      ].join("; "),
    close: () => r.close(),
  };
}

/** The SLAs of the project's pipelines, read from the store (runs, their ticks) and claimed there (asset_triggers). */
export function slaOptions(meta: MetadataStore, cfg: Pick<Project["config"], "name" | "pipeline_alerts">, pipelines: PipelineDef[]): Partial<SchedulerOptions> {
  const slas = pipelines.flatMap((p) => (p.sla !== undefined ? [{ pipeline: p.name, sla: p.sla, timezone: p.timezone }] : []));
  if (!slas.length) return {};
  const orchestration = orchestrationOf(meta);
  return {
    slas,
    slaRuns: async (pipeline) => {
      const dueAt = new Map((await meta.listScheduleTicks(cfg.name, pipeline, 50)).map((t) => [t.runId, t.dueAt]));
      const runs = [];
      for (const id of await orchestration.runIds(cfg.name, pipeline, 50)) {
        const run = await meta.getPipelineRun(id);
        if (run) runs.push({ id, status: run.status, startedAt: run.startedAt, endedAt: run.endedAt, ...(dueAt.has(id) ? { dueAt: dueAt.get(id)! } : {}) });
      }
      return runs;
    },
    // One claim per miss: the asset-claim table keyed ("sla:<kind>", miss key); no asset is named "sla:…".
    claimSla: (miss) => orchestration.claimAsset({ project: cfg.name, pipeline: miss.pipeline, asset: `sla:${miss.kind}`, version: miss.key, runId: miss.runId ?? "-" }),
    onSlaMissed: async (miss) => void (await slaAlerts(cfg.name, cfg.pipeline_alerts, miss)),
  };
}
