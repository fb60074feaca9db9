// The pipelines of a project: the whole DAG as "default" when millrace.yaml declares none, else each declared one
// (data, training, deployment, …) as a selection of the DAG's tasks. A task a pipeline depends on but does not
// run is replaced by its kind's stand-in (a table's current version), so pipelines cascade through assets.
import picomatch from "picomatch";
import { ConfigError, NotFoundError } from "../errors.js";
import type { ProjectConfig } from "../project/config.js";
import type { PipelineConfig } from "../project/config-pipelines.js";
import type { PipelineTask } from "./task-kind.js";

/** The name of the one pipeline of a project that declares none. */
export const DEFAULT_PIPELINE = "default";

export interface PipelineDef {
  name: string;
  /** Task selectors (kind names, ids, globs); null runs every task. */
  tasks: string[] | null;
  schedule?: string;
  timezone: string;
  catchup: boolean;
  assets: string[];
  /** Monitor alerts (rule names or kinds) that start it (on: { alerts }). */
  alerts: string[];
  maxActiveRuns: number;
  pool?: string;
  partitions?: PipelineConfig["partitions"];
  /** Partitions by column (partition_by:): a partition's run replaces only that partition's rows of its table models. */
  partitionBy?: PipelineConfig["partition_by"];
  /** Its SLA (sla:): milliseconds from each run's scheduled time or start, or a deadline cron. */
  sla?: PipelineConfig["sla"];
  /** Task control of this pipeline's tasks (task_settings still applies per task). */
  control: Pick<ProjectConfig, "retries" | "retry_delay" | "timeout" | "task_settings">;
}

type OrchestrationConfig = Pick<ProjectConfig, "schedule" | "timezone" | "catchup"> &
  Partial<Pick<ProjectConfig, "retries" | "retry_delay" | "timeout" | "task_settings" | "pipelines" | "sla">>;

export function pipelinesOf(cfg: OrchestrationConfig): PipelineDef[] {
  const control = { retries: cfg.retries ?? 0, retry_delay: cfg.retry_delay, timeout: cfg.timeout, task_settings: cfg.task_settings ?? {} };
  if (!cfg.pipelines || Object.keys(cfg.pipelines).length === 0) {
    return [{
      name: DEFAULT_PIPELINE, tasks: null, ...(cfg.schedule ? { schedule: cfg.schedule } : {}), timezone: cfg.timezone, catchup: cfg.catchup, assets: [], alerts: [], maxActiveRuns: 1, control,
      ...(cfg.sla !== undefined ? { sla: cfg.sla } : {}),
    }];
  }
  return Object.entries(cfg.pipelines).map(([name, p]) => ({
    name,
    tasks: p.tasks,
    ...(p.schedule ? { schedule: p.schedule } : {}),
    timezone: p.timezone ?? cfg.timezone,
    catchup: p.catchup ?? cfg.catchup,
    assets: p.on?.assets ?? [],
    alerts: p.on?.alerts ?? [],
    maxActiveRuns: p.max_active_runs,
    ...(p.pool ? { pool: p.pool } : {}),
    ...(p.partitions ? { partitions: p.partitions } : {}),
    ...(p.sla !== undefined ? { sla: p.sla } : {}),
    ...(p.partition_by ? { partitionBy: p.partition_by } : {}),
    control: {
      retries: p.retries ?? control.retries,
      retry_delay: p.retry_delay ?? control.retry_delay,
      timeout: p.timeout ?? control.timeout,
      task_settings: { ...control.task_settings, ...p.task_settings },
    },
  }));
}

/** A pipeline by name; the error lists the declared ones. */
export function pipelineDef(cfg: OrchestrationConfig, name: string = DEFAULT_PIPELINE): PipelineDef {
  const all = pipelinesOf(cfg);
  const found = all.find((p) => p.name === name);
  if (!found) {
    throw new NotFoundError(`no pipeline named ${name}`, {
      hint: `this project's pipelines: ${all.map((p) => p.name).join(", ")}${cfg.pipelines ? "" : " (declare more under pipelines: in millrace.yaml)"}`,
    });
  }
  return found;
}

/** Whether a selector names a task: its kind's name, its id, or a glob over ids. */
function selects(selector: string, task: PipelineTask): boolean {
  return selector === task.kind.name || selector === task.id || picomatch(selector, { dot: true })(task.id);
}

/**
 * The tasks of a pipeline: the selected ones, plus a stand-in for every unselected task a selected one needs.
 * A selector that names nothing, or a needed task whose kind has no stand-in, is a ConfigError naming both.
 */
export function selectTasks(all: PipelineTask[], def: Pick<PipelineDef, "name" | "tasks">): PipelineTask[] {
  if (def.tasks === null) return all;
  const selectors = def.tasks;
  for (const s of selectors) {
    if (!all.some((t) => selects(s, t))) {
      throw new ConfigError(`pipelines.${def.name}.tasks: "${s}" names no task of this project`, {
        path: `pipelines.${def.name}.tasks`,
        hint: `tasks: ${all.map((t) => t.id).join(", ")} (or their kinds: ${[...new Set(all.map((t) => t.kind.name))].join(", ")})`,
      });
    }
  }
  const chosen = new Set(all.filter((t) => selectors.some((s) => selects(s, t))).map((t) => t.id));
  const byId = new Map(all.map((t) => [t.id, t]));
  const out: PipelineTask[] = [];
  const standIns = new Map<string, PipelineTask>();
  for (const t of all) {
    if (!chosen.has(t.id)) continue;
    for (const d of t.deps) {
      if (chosen.has(d) || standIns.has(d)) continue;
      const dep = byId.get(d)!;
      if (!dep.kind.standIn) {
        throw new ConfigError(`pipeline ${def.name} runs ${t.id} but not ${d}, which it needs`, {
          path: `pipelines.${def.name}.tasks`,
          hint: `add "${dep.kind.name}" (or "${d}") to pipelines.${def.name}.tasks`,
        });
      }
      standIns.set(d, dep.kind.standIn(dep));
    }
    out.push(t);
  }
  return [...standIns.values(), ...out];
}
