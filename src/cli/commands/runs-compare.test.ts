// `millrace runs compare` (the dashboard's comparison, app/run-compare.ts, printed) and `runs --where` on a project
// whose runs are written straight into its store: a filter that matches nothing says so, an unknown metric is refused.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withResources } from "../../flow/resources.js";
import { projectFromYaml } from "../../project/load-project.js";
import type { Run } from "../../records.js";
import { annotateRunCommand, runsCommand } from "./registry-commands.js";
import { runsCompareCommand } from "./runs-compare.js";

let dir = "";
let printed: string[] = [];
const ids = { a: "", b: "", c: "" };

function run(name: string, params: Record<string, unknown>, metrics: Record<string, number>): Run {
  return {
    id: randomUUID(), experiment: "cmp", name, status: "finished", params, metrics, tags: {}, artifacts: [], datasetId: "d1", parentRunId: null,
    startedAt: "2026-12-06T05:00:00.000Z", endedAt: "2026-12-06T05:00:01.000Z", durationMs: 1000, error: null,
  };
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-runs-cmp-"));
  // A project with no data: the runs are written straight into its store.
  const yaml = `name: cmp
sources: [{ name: customers, pattern: "*.csv" }]
dataset: { table: bronze.customers, target: churned, task: binary, positive: "yes" }
train: { candidates: [{ name: lr, model: logistic_regression }] }
registry: { model: cmp }
`;
  fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
  const p = projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
  const runs = [
    run("lr", { model: "logistic_regression", C: 1 }, { roc_auc: 0.81, log_loss: 0.45, cv_roc_auc_mean: 0.8 }),
    run("gbdt", { model: "gbdt", n_estimators: 200 }, { roc_auc: 0.86, log_loss: 0.41, cv_roc_auc_mean: 0.84 }),
    run("lr2", { model: "logistic_regression", C: 0.5 }, { roc_auc: 0.79, log_loss: 0.39 }),
  ];
  [ids.a, ids.b, ids.c] = runs.map((r) => r.id);
  await withResources(p, async (r) => {
    for (const x of runs) await r.meta.createRun(x);
  }, { lake: false });
  printed = [];
  vi.spyOn(console, "log").mockImplementation((s: string) => void printed.push(s));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const row = (text: string, key: string) => text.split("\n").find((l) => l.trimStart().startsWith(key) || l.startsWith(`≠ ${key}`)) ?? "";

describe("runs compare", () => {
  it("puts runs side by side by id prefix: differing params marked, the best value of each metric starred", async () => {
    expect(await runsCompareCommand([ids.a.slice(0, 8), ids.b.slice(0, 8), ids.c], { project: dir })).toBe(0);
    const text = printed.join("\n");
    expect(text).toContain(`${ids.a.slice(0, 8)} lr`);
    expect(row(text, "model")).toMatch(/^≠ model\s+logistic_regression\s+gbdt\s+logistic_regression/);
    expect(row(text, "C")).toMatch(/^≠ C\s+1\s+0\.5000/);
    expect(row(text, "dataset")).toMatch(/^ {2}dataset/); // same dataset: not marked
    expect(row(text, "roc_auc")).toMatch(/0\.8100\s+0\.8600 ★\s+0\.7900$/); // higher is better
    expect(row(text, "log_loss")).toMatch(/0\.4500\s+0\.4100\s+0\.3900 ★$/); // lower is better
    expect(row(text, "cv_roc_auc_mean")).toMatch(/0\.8000\s+0\.8400 ★/);
  });

  it("--json is the dashboard's comparison, with the best run per metric", async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => { out.push(String(s)); return true; });
    expect(await runsCompareCommand([ids.a, ids.b], { project: dir, json: true })).toBe(0);
    const c = JSON.parse(out.join(""));
    expect(c.differingParams).toEqual(["C", "model", "n_estimators"]);
    expect(c.best).toMatchObject({ roc_auc: [ids.b], log_loss: [ids.b] });
  });

  it("refuses one run, the same run twice and an unknown id", async () => {
    await expect(runsCompareCommand([ids.a], { project: dir })).rejects.toThrow(/compare takes 2 to 10 run ids, got 1/);
    await expect(runsCompareCommand([ids.a, ids.a.slice(0, 8)], { project: dir })).rejects.toThrow(/name the same run/);
    await expect(runsCompareCommand([ids.a, "zzzz"], { project: dir })).rejects.toThrow(/no run zzzz/);
  });
});

describe("runs --where", () => {
  it("says no run matches (with how many there are and their metrics), not that there are no runs", async () => {
    expect(await runsCommand({ project: dir, where: ["roc_auc>0.9"] })).toBe(0);
    expect(printed.join("\n")).toBe("no run matches --where roc_auc>0.9 (3 runs in cmp; metrics: log_loss, roc_auc)");
    printed = [];
    expect(await runsCommand({ project: dir, where: ["roc_auc>0.8"] })).toBe(0);
    const names = printed.join("\n").split("\n").slice(1).map((l) => l.split(/\s+/)[2]).sort();
    expect(names).toEqual(["gbdt", "lr"]);
  });

  it("refuses a metric no run has, listing the ones they have, as --sort does", async () => {
    await expect(runsCommand({ project: dir, where: ["acc>0.5"] })).rejects.toMatchObject({ message: "no run has metric acc", details: { path: "--where" }, hint: expect.stringContaining("log_loss, roc_auc") });
  });
});

describe("runs annotate", () => {
  it("refuses to edit the train config a run was trained under (the next run's skip rule reads it)", async () => {
    await expect(annotateRunCommand(ids.a.slice(0, 8), { project: dir, tag: ["train_config={}"] })).rejects.toThrow(/tag train_config is written by the pipeline/);
  });
});
