// A recommendation project end to end through `millrace run` (examples/recommend: generated ratings, user and item
// catalogues, SQL models): the candidates train as runs, the best is registered and takes the alias; a rerun trains
// nothing; a worse candidate (popularity) is registered but refused by the gate on held-out NDCG@10; a run killed
// before its gate is gated by the next; `millrace serve` answers /recommend from the alias's version with the same
// list the artifact gives in process.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Workspace } from "../src/app/workspace.js";
import { loadProject } from "../src/project/load-project.js";
import { loadRecommender } from "../src/recommend/model.js";
import { copyExample, millrace, startServe } from "./cli.js";

describe("millrace run on a recommendation project", () => {
  const dir = copyExample("recommend");
  const yaml = path.join(dir, "millrace.yaml");
  // Two folds keep the test fast; the example itself uses three.
  fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("cv_folds: 3", "cv_folds: 2"));
  let stop: (() => void) | undefined;
  afterAll(() => stop?.());

  it("trains the candidates as runs, registers and promotes the best by NDCG@10, serves /recommend from it", async () => {
    const first = millrace(["run", dir, "--json"]);
    expect(first.code, first.out).toBe(0);
    const s = first.json;
    expect(s.metric).toBe("ndcg_at_10");
    expect(s.training.trained).toBe(true);
    expect(s.dataset).toMatchObject({ table: "gold.interactions", rows: 25519, splitBy: "(user_id, item_id) pair" });
    expect(s.dataset.trainRows + s.dataset.testRows).toBe(25519);
    expect(s.candidates.map((c: any) => c.candidate).sort()).toEqual(["als", "popular", "svd"]);
    for (const c of s.candidates) expect(c.cv.ndcg_at_10_mean, c.candidate).toBeGreaterThan(0);
    expect(s.candidates.find((c: any) => c.candidate === "svd").test.rmse).toBeLessThan(0.85);
    const best = s.candidates.reduce((a: any, b: any) => (b.cv.ndcg_at_10_mean > a.cv.ndcg_at_10_mean ? b : a));
    expect(s.model).toMatchObject({ name: "films", version: 1, candidate: best.candidate, promoted: true });

    const rerun = millrace(["run", dir, "--json"]);
    expect(rerun.code, rerun.out).toBe(0);
    expect(rerun.json.training.trained).toBe(false);
    expect(rerun.json.candidates).toEqual([]);
    expect(rerun.json.model).toBeUndefined();

    const served = await startServe(dir);
    stop = () => served.proc.kill();
    const res = await fetch(`${served.url}/recommend?user=u0007&k=10`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.provenance).toMatchObject({ model: "films", version: 1, alias: "production", datasetId: s.dataset.id });
    const v1 = await Workspace.useStores(loadProject(dir), async (r) => loadRecommender(await r.registry.loadArtifact(await r.registry.get("films", 1))));
    expect(body.items.map((i: any) => i.item)).toEqual(v1.recommend("u0007", { k: 10 }).items.map((i) => i.item));
    served.proc.kill();
  }, 240_000);

  it("registers a worse candidate but the gate refuses it: NDCG@10 on held-out interactions neither trained on", async () => {
    const text = fs.readFileSync(yaml, "utf8");
    const candidates = text.slice(text.indexOf("  candidates:"), text.indexOf("\nregistry:"));
    fs.writeFileSync(yaml, text.replace(candidates, "  retrain: always\n  candidates:\n    - name: popular\n      model: popularity\n"));
    const r = millrace(["run", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    const m = r.json.model;
    expect(m, JSON.stringify(m)).toMatchObject({ name: "films", version: 2, candidate: "popular", promoted: false });
    expect(m.comparison.rows).toBeGreaterThan(1000);
    expect(m.comparison.challenger).toBeLessThan(m.comparison.champion);
    expect(m.reason).toMatch(/not promoted: ndcg_at_10 .* vs production v1/);
    const holder = await Workspace.useStores(loadProject(dir), (w) => w.registry.aliasVersion("films", "production"));
    expect(holder?.version).toBe(1);
  }, 120_000);

  it("a run killed between registering and gating leaves the version ungated; the next run gates it", () => {
    const killed = millrace(["run", dir, "--json"], { MILLRACE_FAILPOINT: "recommend:after-version" });
    expect(killed.code).not.toBe(0);
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("retrain: always", "retrain: on_new_data"));
    const r = millrace(["run", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.training.trained).toBe(false);
    expect(r.json.model).toMatchObject({ version: 3, candidate: "popular", promoted: false, resumed: true });
    expect(r.json.tasks["recommend:register"].note).toMatch(/films v3 \(popular\) registered, not promoted; vs v1 on \d+ held-out interactions/);
    const again = millrace(["run", dir, "--json"]);
    expect(again.json.model).toBeUndefined();
    expect(again.json.tasks["recommend:register"].note).toMatch(/v3 already gated \(rejected\)/);
  }, 120_000);
});
