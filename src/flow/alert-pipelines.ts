// Which pipeline a monitor alert starts: the one whose `on: { alerts: [...] }` names the alert's rule (or its kind),
// else, for a rule with the retrain action, the whole DAG. The run is a child `millrace` process (training never
// blocks the serving process's event loop), recorded with trigger kind "alert".
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AlertAction } from "../monitor/alerts.js";
import { alertPipeline } from "../project/config-pipelines.js";
import type { ProjectConfig } from "../project/config.js";
import type { Project } from "../project/load-project.js";
import type { PipelineSummary } from "./summary.js";

export { alertPipeline };

type FiredAlert = { rule: string; kind: string };

/** A rule's actions, with retrain added when a pipeline is triggered by it (`on: { alerts }`). */
export function alertActions(cfg: Pick<ProjectConfig, "pipelines">, rule: { name: string; on: string; actions: readonly AlertAction[] }): AlertAction[] {
  const claimed = alertPipeline(cfg, { rule: rule.name, kind: rule.on }) !== undefined;
  return claimed && !rule.actions.includes("retrain") ? [...rule.actions, "retrain"] : [...rule.actions];
}

/** The `millrace` arguments of the run an alert starts. */
export function alertRunArgs(cfg: Pick<ProjectConfig, "pipelines">, dir: string, alert: FiredAlert): string[] {
  const pipeline = alertPipeline(cfg, alert);
  return pipeline
    ? ["pipeline", "trigger", pipeline, "-p", dir, "--json", "--retrain", "--trigger", "alert"]
    : ["run", dir, "--json", "--retrain", "--trigger", "alert"];
}

/**
 * Runs what `alert` starts in a child process of `cli` (default: this build's CLI); its summary, or null when it
 * printed none (it could not start).
 */
export function runForAlert(project: Project, alert: FiredAlert, cli = fileURLToPath(new URL("../cli/main.js", import.meta.url))): Promise<PipelineSummary | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...alertRunArgs(project.config, project.dir, alert)], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", () => {
      try {
        resolve(JSON.parse(out) as PipelineSummary);
      } catch {
        resolve(null);
      }
    });
  });
}
