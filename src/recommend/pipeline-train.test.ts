// A recommendation project's training with dataset.k, a search and the significance gate, on the example's ratings
// (examples/recommend, generated) and real stores (SQLite metadata, artifacts in a temp folder): trials are child runs
// scored by CV on train rows, the metrics are named at K = 5, and a challenger that is only noise-better than
// production is refused when significance is on (the interval of per-user NDCG@5 differences straddles 0) but promoted
// when it is off; one clearly better is promoted either way.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exampleRatings } from "../../test/example-ratings.js";
import { Workspace } from "../app/workspace.js";
import { hashSplit } from "../learn/row-identity.js";
import { projectFromYaml } from "../project/load-project.js";
import type { TableVersion } from "../records.js";
import { interactionIdentities } from "./compare.js";
import type { InteractionData } from "./pipeline-data.js";
import { recommendationMetric, registerRecommender, trainRecommenderCandidate } from "./pipeline-train.js";

const interactions = exampleRatings();

function project(dir: string, candidates: string, significance: boolean) {
  const yaml = `name: films
sources:
  - name: ratings
dataset:
  task: recommendation
  table: gold.interactions
  user: user_id
  item: item_id
  rating: rating
  k: 5
train:
  cv_folds: 2
  candidates:
${candidates}
registry:
  model: films
  gate:
    significance: ${significance}
    bootstrap: 500
`;
  fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
  return projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
}

function data(): InteractionData {
  const split = hashSplit(interactionIdentities(interactions.users, interactions.items), { testFraction: 0.2, seed: 42, folds: 2 });
  const table: TableVersion = { table: "gold.interactions", version: 1, files: [], rowCount: interactions.users.length, schema: [], contentHash: "films-test", parents: [], operation: "overwrite", createdAt: new Date(0).toISOString() };
  return { id: "films-test", table, interactions, dropped: 0, train: split.train, test: split.test, foldOf: split.foldOf };
}

const quiet = () => {};

describe("recommendation training in a project", () => {
  it("searches a recommender's parameters by CV on train rows, trials as child runs, metrics at dataset.k", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-rec-"));
    const p = project(dir, "    - name: als\n      model: als\n      params: { iterations: 6, alpha: 2 }\n      search: { method: grid, space: { factors: [4, 16], regularization: [1, 20] } }", false);
    expect(recommendationMetric(p)).toBe("ndcg_at_5");
    const d = data();
    await Workspace.useStores(p, async (r) => {
      const out = await trainRecommenderCandidate(r, p.config.train.candidates[0], d, quiet, quiet);
      expect(Object.keys(out.result.metrics)).toContain("ndcg_at_5");
      expect(Object.keys(out.result.metrics)).not.toContain("ndcg_at_10");
      const runs = await r.meta.listRuns({ experiment: "films" });
      const trials = runs.filter((x) => x.parentRunId === out.runId);
      expect(trials).toHaveLength(4);
      for (const t of trials) expect(t).toMatchObject({ status: "finished", tags: { objective: "ndcg_at_5" }, datasetId: "films-test" });
      // A trial below the median of three finished ones after its first fold is pruned (the median rule).
      const complete = trials.filter((t) => t.tags.state === "complete");
      expect(complete.length).toBeGreaterThanOrEqual(3);
      expect(trials.filter((t) => t.tags.state !== "complete").every((t) => t.tags.state === "pruned")).toBe(true);
      const scores = trials.map((t) => t.metrics.cv_ndcg_at_5_mean);
      for (const s of scores) expect(s).toBeGreaterThan(0);
      // The candidate's parameters are the best trial's; its CV metrics are that trial's folds.
      const best = complete.reduce((a, b) => (b.metrics.cv_ndcg_at_5_mean > a.metrics.cv_ndcg_at_5_mean ? b : a));
      expect(out.result.params).toMatchObject({ factors: best.params.factors, regularization: best.params.regularization, iterations: 6 });
      expect(out.cv.ndcg_at_5_mean).toBeCloseTo(best.metrics.cv_ndcg_at_5_mean, 12);
      expect(new Set(scores).size).toBeGreaterThan(1);
      // train_seconds covers the search's trials and the final fit, each logged as a part of it.
      const m = (await r.meta.getRun(out.runId))!.metrics;
      expect(m.search_seconds).toBeGreaterThan(0);
      expect(m.cv_seconds).toBeUndefined();
      expect(m.train_seconds).toBeGreaterThanOrEqual(m.final_fit_seconds + m.search_seconds);
    });
  }, 120_000);

  it("logs train_seconds as all the training (CV folds + final fit), with final_fit_seconds and cv_seconds as its parts", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-rec-"));
    const p = project(dir, "    - { name: als, model: als, params: { factors: 8, iterations: 4, alpha: 2 } }", false);
    await Workspace.useStores(p, async (r) => {
      const out = await trainRecommenderCandidate(r, p.config.train.candidates[0], data(), quiet, quiet);
      const m = (await r.meta.getRun(out.runId))!.metrics;
      // The fit alone was logged as train_seconds, though two CV fits ran before it.
      expect(m.final_fit_seconds).toBe(out.result.trainSeconds);
      expect(m.cv_seconds).toBeGreaterThan(0);
      expect(m.train_seconds).toBeGreaterThanOrEqual(m.final_fit_seconds + m.cv_seconds);
      expect(m.search_seconds).toBeUndefined();
      expect(out.seconds).toEqual({ train: m.train_seconds, finalFit: m.final_fit_seconds, cv: m.cv_seconds });
    });
  }, 60_000);

  it("with significance on, promotes only a challenger whose per-user NDCG@5 gain has a lower bound above 0", async () => {
    const d = data();
    const run = async (significance: boolean) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-rec-"));
      const candidates = [
        "    - { name: champion, model: als, params: { factors: 16, regularization: 20, alpha: 2, iterations: 8 } }",
        // The same learner, another seed of its initialisation: as good, up to noise.
        "    - { name: twin, model: als, params: { factors: 16, regularization: 20, alpha: 2, iterations: 8, init_std: 0.02 } }",
        "    - { name: popular, model: popularity }",
      ].join("\n");
      const p = project(dir, candidates, significance);
      return Workspace.useStores(p, async (r) => {
        const trained = [];
        for (const c of p.config.train.candidates) trained.push(await trainRecommenderCandidate(r, c, d, quiet, quiet));
        const first = await registerRecommender(r, d, [trained[2]], quiet); // popularity takes production
        const better = await registerRecommender(r, d, [trained[0]], quiet); // ALS vs popularity: clearly better
        const same = await registerRecommender(r, d, [trained[1]], quiet); // ALS vs ALS with another initialisation
        return { first: first!, better: better!, same: same! };
      });
    };
    const on = await run(true);
    expect(on.first.decision.promote).toBe(true);
    expect(on.better.decision.promote).toBe(true);
    const iv = on.better.decision.comparison!.interval!;
    expect(iv.lo).toBeGreaterThan(0);
    expect(on.better.decision.reason).toMatch(/ndcg_at_5 .* 95% CI \[\+/);
    const twin = on.same.decision.comparison!;
    expect(twin.interval!.lo).toBeLessThan(0);
    expect(twin.interval!.hi).toBeGreaterThan(0);
    expect(on.same.decision.promote).toBe(false);
    expect(on.same.decision.reason).toMatch(/interval above 0/);

    const off = await run(false);
    // Without significance the point estimate alone decides the twin.
    expect(off.same.decision.promote).toBe(off.same.decision.comparison!.challenger > off.same.decision.comparison!.champion);
    expect(off.same.decision.comparison!.interval).not.toBeNull();
  }, 240_000);
});
