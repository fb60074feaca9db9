// Retries, backoff and timeout of each pipeline task from millrace.yaml: the top-level defaults, then every
// task_settings entry whose id or glob matches the task, in the order written (later entries win, key by key).
import picomatch from "picomatch";
import type { ProjectConfig } from "../project/config.js";
import type { Task } from "./dag.js";

export function applyTaskControl<T extends Task<Ctx>, Ctx>(tasks: T[], cfg: Pick<ProjectConfig, "retries" | "retry_delay" | "timeout" | "task_settings">): T[] {
  const entries = Object.entries(cfg.task_settings).map(([pattern, settings]) => ({ matches: picomatch(pattern, { dot: true }), settings }));
  return tasks.map((task) => {
    let retries = cfg.retries;
    let retryDelayMs = cfg.retry_delay;
    let timeoutMs = cfg.timeout;
    for (const { matches, settings } of entries) {
      if (!matches(task.id)) continue;
      if (settings.retries !== undefined) retries = settings.retries;
      if (settings.retry_delay !== undefined) retryDelayMs = settings.retry_delay;
      if (settings.timeout !== undefined) timeoutMs = settings.timeout;
    }
    return {
      ...task,
      ...(retries ? { retries } : {}),
      ...(retryDelayMs !== undefined ? { retryDelayMs } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
  });
}
