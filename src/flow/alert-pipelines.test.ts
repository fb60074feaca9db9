// An alert starts the pipeline the config names for it (pipelines.<name>.on.alerts, issue 13): the rule's actions gain
// retrain, the fired alert runs that pipeline in a child `millrace` process, recorded with trigger kind "alert";
// names that match no rule or kind, or a retrain no pipeline claims, are config errors naming the field.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, copyExample, millrace } from "../../test/cli.js";
import { AlertManager, type AlertRule } from "../monitor/alerts.js";
import { loadProject } from "../project/load-project.js";
import { alertActions, alertPipeline, alertRunArgs, runForAlert } from "./alert-pipelines.js";
import type { PipelineSummary } from "./summary.js";

/** The churn example with two pipelines, `training` started by the alerts named in `on`, and these monitor rules. */
function projectWith(on: string, rules: string): string {
  const dir = copyExample("churn");
  const yaml = path.join(dir, "millrace.yaml");
  const pipelines = `pipelines:\n  data:\n    tasks: [ingest, transform]\n  training:\n    tasks: [dataset, train, register]\n    on: { alerts: ${on} }\n\n`;
  const text = fs.readFileSync(yaml, "utf8").replace("monitor:", `${pipelines}monitor:\n  alerts:\n${rules}`);
  fs.writeFileSync(yaml, text);
  return dir;
}

describe("alerts start a named pipeline", () => {
  it("picks the pipeline by rule name, then by kind; a claimed rule gains the retrain action", () => {
    const cfg = { pipelines: { a: { on: { alerts: ["errors"] } }, b: { on: { alerts: ["drift", "latency"] } } } } as never;
    expect(alertPipeline(cfg, { rule: "errors", kind: "error_rate" })).toBe("a");
    expect(alertPipeline(cfg, { rule: "slow", kind: "latency" })).toBe("b");
    expect(alertPipeline(cfg, { rule: "decayed", kind: "decay" })).toBeUndefined();
    expect(alertActions(cfg, { name: "slow", on: "latency", actions: ["log"] })).toEqual(["log", "retrain"]);
    expect(alertActions(cfg, { name: "decayed", on: "decay", actions: ["log"] })).toEqual(["log"]);
    expect(alertRunArgs(cfg, "/p", { rule: "slow", kind: "latency" })).toEqual(["pipeline", "trigger", "b", "-p", "/p", "--json", "--retrain", "--trigger", "alert"]);
    expect(alertRunArgs({} as never, "/p", { rule: "decayed", kind: "decay" })).toEqual(["run", "/p", "--json", "--retrain", "--trigger", "alert"]);
  });

  it("refuses an alert name that is no rule or kind, and a retrain no pipeline runs, naming the field", () => {
    const unknown = projectWith("[input_drfit]", "    - { name: input_drift, on: drift, actions: [log] }\n");
    expect(() => loadProject(unknown)).toThrow(/pipelines\.training\.on\.alerts\.0: input_drfit is neither an alert rule of monitor\.alerts \(input_drift\)/);
    const orphan = projectWith("[input_drift]", "    - { name: input_drift, on: drift, actions: [log] }\n    - { name: errors, on: error_rate, threshold: 0.1, actions: [retrain] }\n");
    expect(() => loadProject(orphan)).toThrow(/monitor\.alerts\.1\.actions: alert errors retrains, but no pipeline names it/);
  });

  it("a fired alert runs the pipeline it names, recorded with trigger alert", async () => {
    const dir = projectWith("[error_rate]", "    - { name: errors, on: error_rate, threshold: 0.1, actions: [log] }\n");
    const listed = millrace(["pipeline", "list", "-p", dir, "--json"]).json;
    expect(listed.map((p: { name: string; alerts: string[] }) => [p.name, p.alerts])).toEqual([["data", []], ["training", ["error_rate"]]]);
    const data = millrace(["pipeline", "trigger", "data", "-p", dir, "--json"]);
    expect(data.code, data.stderr).toBe(0);
    const project = loadProject(dir);
    const rules: AlertRule[] = project.config.monitor.alerts.map((a) => ({ name: a.name, on: a.on, actions: alertActions(project.config, a), threshold: a.threshold! }));
    expect(rules[0].actions).toEqual(["log", "retrain"]);
    const runs: Promise<PipelineSummary | null>[] = [];
    const logged: string[] = [];
    const alerts = new AlertManager({ rules, log: (a) => logged.push(a.rule), onRetrain: (a) => void runs.push(runForAlert(project, a, cli)) });
    const fired = await alerts.evaluate({ kind: "error_rate", model: "churn", version: 1, value: 0.5 });
    expect(fired.map((a) => a.rule)).toEqual(["errors"]);
    expect(logged).toEqual(["errors"]);
    expect(runs).toHaveLength(1);
    const summary = await runs[0];
    expect(summary, "the alert's run printed no summary").not.toBeNull();
    expect(summary).toMatchObject({ pipeline: "training", trigger: "alert", status: "succeeded", model: { version: 1 } });
    const recorded = millrace(["pipeline", "runs", "-p", dir, "--json"]).json.find((r: { id: string }) => r.id === summary!.pipelineRunId);
    expect(recorded).toMatchObject({ pipeline: "training", trigger: "alert", status: "succeeded" });
  }, 120_000);
});
