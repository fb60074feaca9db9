// auto in a project: every candidate it tried is a child run of the project candidate's run, the parent names the
// learner chosen, the run reports the candidate's whole wall time, and time_budget_s is shared by its CV and final fits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runsCommand } from "../../cli/commands/registry-commands.js";
import { runText } from "../../cli/commands/runs-show.js";
import { fmtNumber } from "../../cli/output.js";
import { modelSpec } from "../../learn/model-specs.js";
import { paramDefaults } from "../../learn/params.js";
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
    const { parent, all, topLevel, cvSeries } = await withResources(p, async (r) => ({
      parent: (await r.meta.getRun(c.runId))!,
      all: await r.meta.listRuns({ parentRunId: c.runId, limit: 50 }),
      topLevel: await r.meta.listRuns({ parentRunId: null, limit: 50 }),
      cvSeries: (await r.meta.metricHistory(c.runId, "cv_roc_auc")).map((x) => x.value),
    }), { lake: false });
    // The parent's children: the final fit's candidates, and one run per CV fold (cv_folds: 2) holding that fold's search.
    const children = all.filter((x) => x.tags.cv_fold === undefined);
    const folds = all.filter((x) => x.tags.cv_fold !== undefined).sort((a, b) => a.name.localeCompare(b.name));
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
      // The learner's parameters as it ran them (its defaults; these two portfolio entries override none), not just its name.
      expect(child.params).toEqual({ model: s.label, ...paramDefaults(modelSpec(s.label).params) });
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
    // A fold's run fills the "cv roc_auc" column with its held-out score on that fold (it has no mean over folds).
    for (const f of folds) expect(lines.find((l) => l.startsWith(f.id.slice(0, 8)))).toMatch(new RegExp(`auto/cv-fold-\\d\\s+\\w+\\s+finished\\s+${fmtNumber(f.metrics.cv_roc_auc).replace(".", "\\.")}\\s`));

    // Each CV fold's search: a child run of the parent named for its fold, with what it chose and the fold's held-out
    // score (the parent's cv_roc_auc at that fold's step), whose children are the candidates it tried, tagged with the fold.
    expect(folds.map((f) => [f.name, f.tags.cv_fold])).toEqual([["auto/cv-fold-1", "1"], ["auto/cv-fold-2", "2"]]);
    expect(cvSeries).toHaveLength(2);
    const foldChildren = await withResources(p, (r) => Promise.all(folds.map((f) => r.meta.listRuns({ parentRunId: f.id, limit: 50 }))), { lake: false });
    for (const [i, f] of folds.entries()) {
      expect(f).toMatchObject({ parentRunId: c.runId, status: "finished", experiment: parent.experiment, datasetId: parent.datasetId });
      expect(f.tags).toMatchObject({ auto_metric: "roc_auc", auto_candidates: "2" });
      expect(["logistic_regression", "gbdt"]).toContain(f.tags.chosen);
      expect(f.metrics.cv_roc_auc).toBe(cvSeries[i]);
      const kids = foldChildren[i];
      expect(kids.map((k) => k.tags.auto_candidate).sort()).toEqual(["gbdt", "logistic_regression"]);
      for (const k of kids) {
        expect(k).toMatchObject({ name: `auto/cv-fold-${i + 1}/${k.tags.auto_candidate}`, parentRunId: f.id, experiment: parent.experiment });
        expect(k.tags).toMatchObject({ cv_fold: String(i + 1), objective: "roc_auc", selected: String(k.tags.auto_candidate === f.tags.chosen) });
        if (k.tags.state === "scored") expect(k.metrics.cv_roc_auc_mean).toBeGreaterThan(0);
      }
      // A fold's search and its candidates end before the final fit's search starts.
      expect(Date.parse(kids.map((k) => k.endedAt!).sort().at(-1)!)).toBeLessThanOrEqual(Date.parse(children.map((k) => k.startedAt).sort()[0]) + 1);
      // `runs show` on a fold's run: what its search chose, where its candidates are, whose child it is.
      const shown = runText(f, [], {});
      expect(shown).toContain(`chosen: ${f.tags.chosen}`);
      expect(shown).toContain(`millrace runs --parent ${f.id.slice(0, 8)}`);
      expect(shown).toContain(`child of run ${c.runId.slice(0, 8)}`);
    }
    // Not among the top-level runs; `runs --parent <fold>` lists that fold's candidates.
    printed.length = 0;
    expect(await runsCommand({ project: dir, parent: folds[0].id })).toBe(0);
    const foldLines = printed.join("\n").split("\n").slice(1).filter((l) => l.trim() && !/^[-─ ]+$/.test(l));
    expect(foldLines.map((l) => l.match(/auto\/cv-fold-1\/(\w+)/)?.[1]).sort()).toEqual(["gbdt", "logistic_regression"]);
  });
});
