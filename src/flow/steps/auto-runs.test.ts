// auto in a project: every candidate it tried is a child run of the project candidate's run, the parent names the
// learner chosen, the run reports the candidate's whole wall time, and time_budget_s is shared by its CV and final fits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runsCommand } from "../../cli/commands/registry-commands.js";
import { projectFromYaml } from "../../project/load-project.js";
import type { CandidateConfig } from "../../project/config.js";
import { runPipeline } from "../pipeline.js";
import { withResources } from "../resources.js";
import { autoBudget } from "./train.js";

let dir = "";
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** 160 rows whose label follows tenure + calls; auto limited to two learners so the test stays short. */
function project() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-autoruns-"));
  const yaml = [
    "name: autoruns",
    "sources: [{ name: customers, pattern: \"*.csv\" }]",
    "dataset: { table: bronze.customers, target: churned, task: binary, positive: \"yes\", exclude: [id, _source_file, _ingested_at, _batch_id] }",
    "train:",
    "  cv_folds: 2",
    "  candidates: [{ name: auto, model: auto, params: { time_budget_s: 30, candidates: \"logistic_regression,gbdt\" } }]",
    "registry: { model: autoruns, gate: { must_beat_production: false } }",
  ].join("\n");
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
  const rows = Array.from({ length: 160 }, (_, i) => `${i},${i % 11},${(i * 7) % 5},${(i % 11) + ((i * 7) % 5) > 7 ? "yes" : "no"}`);
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), ["id,tenure,calls,churned", ...rows, ""].join("\n"));
  return projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
}

const candidate = (c: Partial<CandidateConfig>): CandidateConfig => ({ name: "auto", model: "auto", params: {}, ...c }) as CandidateConfig;

describe("auto in a project", () => {
  it("shares time_budget_s evenly over the CV fits and the final fit (the budget is the candidate's wall time)", () => {
    expect(autoBudget(candidate({ params: { time_budget_s: 20 } }), 5)).toEqual({ total: 20, perFit: 3.333 });
    expect(autoBudget(candidate({}), 0)).toEqual({ total: 60, perFit: 60 });
    expect(autoBudget(candidate({ params: { time_budget_s: 9 } }), 2)).toEqual({ total: 9, perFit: 3 });
    expect(autoBudget(candidate({ model: "gbdt" }), 5)).toBeNull();
  });

  it("records each candidate as a child run and the chosen learner on the parent, in the summary and the store", async () => {
    const p = project();
    const summary = await withResources(p, (r) => runPipeline(r));
    expect(summary.status, JSON.stringify(summary.failure)).toBe("succeeded");
    const c = summary.candidates[0];
    expect(c.auto?.candidates.map((x) => x.label)).toEqual(["logistic_regression", "gbdt"]);
    expect(["logistic_regression", "gbdt"]).toContain(c.auto?.chosen);
    const { parent, children, topLevel } = await withResources(p, async (r) => ({
      parent: (await r.meta.getRun(c.runId))!,
      children: await r.meta.listRuns({ parentRunId: c.runId, limit: 50 }),
      topLevel: await r.meta.listRuns({ parentRunId: null, limit: 50 }),
    }), { lake: false });
    expect(parent.tags).toMatchObject({ chosen: c.auto!.chosen, chosen_model: c.auto!.chosen, auto_metric: "roc_auc", auto_candidates: "2", auto_refit: "all_rows" });
    expect(parent.tags.auto_refit_reason).toMatch(/refit on all [\d,]+ train rows/);
    // The user's budget on the parent; each of the 3 fits (2 CV parts + the final fit) got a third of it.
    expect(parent.params).toMatchObject({ model: "auto", time_budget_s: 30, time_budget_per_fit_s: 10 });
    // train_seconds is the candidate's whole training (CV fits + final fit), final_fit_seconds a part of it.
    expect(parent.metrics.train_seconds).toBeGreaterThanOrEqual(parent.metrics.final_fit_seconds);
    expect(c.trainSeconds).toBe(parent.metrics.train_seconds);
    expect(c.fitSeconds).toBe(parent.metrics.final_fit_seconds);
    expect(topLevel.map((x) => x.id)).toEqual([c.runId]);
    expect(children).toHaveLength(2);
    for (const s of c.auto!.candidates) {
      const child = children.find((x) => x.id === s.runId)!;
      expect(child).toMatchObject({ name: `auto/${s.label}`, parentRunId: c.runId, experiment: parent.experiment, datasetId: parent.datasetId });
      expect(child.params.model).toBe(s.label);
      expect(child.tags).toMatchObject({ auto_candidate: s.label, state: s.state, objective: "roc_auc", selected: String(s.label === c.auto!.chosen) });
      expect(child.durationMs).toBe(Math.round(s.seconds * 1000));
      if (s.state === "scored") {
        expect(child.status).toBe("finished");
        expect(child.metrics.cv_roc_auc_mean).toBe(s.cvMean);
        expect(child.metrics.cv_roc_auc_std).toBe(s.cvStd);
      }
    }
    // `millrace runs --all`: the parent names the chosen learner; every row shows its CV score on the objective.
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((s: string) => void printed.push(s));
    expect(await runsCommand({ project: dir, all: true })).toBe(0);
    const lines = printed.join("\n").split("\n");
    expect(lines[0]).toMatch(/name\s+chosen\s+status.*cv roc_auc/);
    const parentLine = lines.find((l) => l.startsWith(c.runId.slice(0, 8)))!;
    expect(parentLine).toMatch(new RegExp(`auto\\s+${c.auto!.chosen}\\s+finished`));
    for (const s of c.auto!.candidates) expect(lines.find((l) => l.startsWith(s.runId.slice(0, 8)))).toContain(`auto/${s.label}`);
  });
});
