// `millrace init`: the sample is a source of its own (never merged with the user's files), the gate follows the task.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { taskMetrics } from "../learn/task-metrics.js";
import { initProject } from "./init-project.js";
import { loadProject, projectFromYaml, TASK_METRICS } from "./load-project.js";

const fresh = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-init-")), "proj");

describe("millrace init", () => {
  it("puts the sample in its own source and folder, and leaves data/landing/ empty for the user's files", () => {
    const dir = fresh();
    const r = initProject(dir);
    expect(r.sample).toEqual({ source: "sample", path: "data/sample/sample.csv", table: "bronze.sample" });
    const p = loadProject(dir);
    expect(p.config.sources).toEqual([expect.objectContaining({ name: "sample", path: "data/sample", pattern: "*.csv" })]);
    expect(fs.readdirSync(path.join(dir, "data/landing")).filter((f) => !f.startsWith("."))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, "models/silver/clean.sql"), "utf8")).toContain("{{ ref('bronze.sample') }}");
    const yaml = fs.readFileSync(path.join(dir, "millrace.yaml"), "utf8");
    expect(yaml).toMatch(/lives in its own source "sample"/);
    expect(yaml).toMatch(/# - name: raw/);
    expect(r.notes.join("\n")).toMatch(/its own source "sample".*never mixes with your files/);
  });

  it.each([
    ["binary", { min: { roc_auc: 0.7 } }],
    ["multiclass", { min: { accuracy: 0.6 } }],
    ["regression", { max: { rmse: 4 } }],
  ] as const)("scaffolds a %s project whose gate checks a metric the task measures", (task, gate) => {
    const dir = fresh();
    initProject(dir, { task });
    const p = loadProject(dir);
    expect(p.config.dataset.task).toBe(task);
    expect(p.config.registry.gate).toMatchObject(gate);
    const sample = fs.readFileSync(path.join(dir, "data/sample/sample.csv"), "utf8").trim().split("\n").slice(1);
    const labels = new Set(sample.map((l) => l.split(",")[3]));
    if (task === "regression") expect(sample.every((l) => Number.isFinite(Number(l.split(",")[3])))).toBe(true);
    else expect(labels.size).toBe(task === "binary" ? 2 : 3);
  });

  it.each(["binary", "multiclass", "regression"] as const)("scaffolds a %s project that trains auto within a visible time budget", (task) => {
    const dir = fresh();
    initProject(dir, { task });
    const p = loadProject(dir);
    expect(p.config.train.candidates).toEqual([expect.objectContaining({ name: "auto", model: "auto", params: { time_budget_s: 60 } })]);
    const yaml = fs.readFileSync(path.join(dir, "millrace.yaml"), "utf8");
    // The comment says what the budget bounds and how to pick learners instead.
    expect(yaml).toMatch(/time_budget_s bounds the wall\n? *#? *time of the whole candidate/);
    expect(yaml).toMatch(/To pick learners yourself, list them instead/);
    expect(yaml).toContain(`#   - { name: ${task === "regression" ? "linear, model: linear_regression" : "logistic, model: logistic_regression"} }`);
  });

  it("refuses a gate or ranking metric the task never measures, naming the key", () => {
    const dir = fresh();
    initProject(dir);
    const yaml = fs.readFileSync(path.join(dir, "millrace.yaml"), "utf8");
    // The old scaffold's mistake: task switched to regression, gate still on roc_auc, so nothing could ever promote.
    const regression = yaml.replace(/task: binary[^\n]*\n  positive: "yes"/, "task: regression");
    let err: unknown;
    try {
      projectFromYaml(regression, path.join(dir, "millrace.yaml"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe("registry.gate.min.roc_auc: a regression task does not measure roc_auc");
    expect((err as ConfigError).details.path).toBe("registry.gate.min.roc_auc");
    expect((err as ConfigError).hint).toMatch(/rmse/);
    const metric = yaml.replace("train:\n", "train:\n  metric: rmse\n");
    expect(() => projectFromYaml(metric, path.join(dir, "millrace.yaml"))).toThrow(/^train\.metric: a binary task does not measure rmse$/);
  });

  it("knows the metrics each task reports (the list load-project checks against)", () => {
    const y = [0, 1, 0, 1];
    expect(Object.keys(taskMetrics("binary", y, [0.8, 0.2, 0.3, 0.7, 0.6, 0.4, 0.1, 0.9], 2)).sort()).toEqual([...TASK_METRICS.binary].sort());
    expect(Object.keys(taskMetrics("multiclass", [0, 1, 2], [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8], 3)).sort()).toEqual([...TASK_METRICS.multiclass].sort());
    expect(Object.keys(taskMetrics("regression", [1, 2, 3], [1.1, 2.2, 2.9], 1)).sort()).toEqual([...TASK_METRICS.regression].sort());
  });
});
