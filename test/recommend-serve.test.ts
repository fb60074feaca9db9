// Serving a registered recommender: a recommender version registered (tracked run, SQLite store, folder artifacts)
// and given the serving alias is what `millrace serve` loads; /recommend and /predict answer from it with its
// provenance, and moving the alias to another recommender version swaps what answers.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Workspace } from "../src/app/workspace.js";
import { startServeProcess, type ServeProcess } from "../src/cli/serve-process.js";
import { loadProject } from "../src/project/load-project.js";
import { RecommenderPredictor } from "../src/recommend/predictor.js";
import { randomTestRows } from "../src/recommend/split.js";
import { syntheticRatings } from "../src/recommend/synthetic.js";
import { trainRecommender } from "../src/recommend/train.js";

const repoRoot = path.resolve(import.meta.dirname, "..");

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-rec-serve-"));
  fs.cpSync(path.join(repoRoot, "examples/churn"), dir, { recursive: true, filter: (src) => !src.includes(".millrace") && !src.includes("landing") });
  const yaml = path.join(dir, "millrace.yaml");
  fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("serve:\n  port: 8080", "serve:\n  port: 0\n  reload_s: 0.1"));
  return dir;
}

describe("serving a registered recommender", () => {
  let sp: ServeProcess | undefined;
  afterAll(() => sp?.close());

  it("loads the alias's recommender version and answers /recommend and /predict with that version's provenance", async () => {
    const dir = project();
    const data = syntheticRatings({ users: 120, items: 80, ratings: 4000, seed: 7 });
    const testRows = randomTestRows(data.users.length, 0.2, 7);
    const fits = (["svd", "baseline"] as const).map((model) => trainRecommender({ table: data, model, testRows, seed: 7 }));
    const p = loadProject(dir);
    const registered = await Workspace.useStores(p, async (r) => {
      const out = [];
      for (const fit of fits) {
        const run = await r.tracker.startRun({ experiment: "recsys", name: fit.model.info.model, params: fit.params });
        await run.logMetrics(fit.metrics);
        await run.finish("finished");
        const mv = await r.registry.register({
          name: "churn",
          runId: run.id,
          datasetId: "synthetic-ratings",
          datasetHash: "seed-7",
          artifact: fit.model.toBytes(),
          signature: new RecommenderPredictor(fit.model).signature,
          metrics: fit.metrics,
        });
        out.push({ mv, runId: run.id });
      }
      await r.registry.setAlias("churn", "production", out[0].mv.version, { actor: "test", reason: "svd first" });
      return out;
    });

    sp = await startServeProcess(loadProject(dir), { port: 0 });
    const url = sp.server.url;
    const user = data.users[0];
    const health = (await (await fetch(`${url}/health`)).json()) as any;
    expect(health.model).toMatchObject({ model: "churn", version: registered[0].mv.version });
    const res = await fetch(`${url}/recommend?user=${encodeURIComponent(user)}&k=5`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-millrace-version")).toBe(String(registered[0].mv.version));
    const body = (await res.json()) as any;
    expect(body.items).toHaveLength(5);
    expect(body.provenance).toMatchObject({ model: "churn", version: registered[0].mv.version, alias: "production", runId: registered[0].runId, datasetId: "synthetic-ratings", datasetHash: "seed-7" });
    // The same list the fitted model gives in process: the server answers from this artifact, not another model.
    const local = fits[0].model.recommend(user, { k: 5, excludeSeen: true });
    expect(body.items.map((i: any) => i.item)).toEqual(local.items.map((i) => i.item));

    const item = data.items[0];
    const pred = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [{ [data.columns.user]: user, [data.columns.item]: item }] }) });
    expect(pred.status).toBe(200);
    const pj = (await pred.json()) as any;
    expect(JSON.stringify(pj)).toContain(registered[0].runId);
    expect(pj.predictions[0].value ?? pj.predictions[0]).toBeCloseTo(fits[0].model.predictPairs([{ user, item }])[0], 6);

    // The V2 (Open Inference) protocol scores the same pair with the same version.
    const v2 = await fetch(`${url}/v2/models/churn/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [{ name: data.columns.user, shape: [1], datatype: "BYTES", data: [user] }, { name: data.columns.item, shape: [1], datatype: "BYTES", data: [item] }] }),
    });
    expect(v2.status).toBe(200);
    const v2j = (await v2.json()) as any;
    expect(v2j.model_version).toBe(String(registered[0].mv.version));
    expect(v2j.outputs[0].data[0]).toBeCloseTo(fits[0].model.predictPairs([{ user, item }])[0], 6);

    // The alias moves to the baseline version: the server swaps to it (polling) and says so in the provenance.
    await Workspace.useStores(loadProject(dir), (r) => r.registry.setAlias("churn", "production", registered[1].mv.version, { actor: "test", reason: "baseline" }));
    let version = 0;
    for (let i = 0; i < 100 && version !== registered[1].mv.version; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      version = ((await (await fetch(`${url}/recommend?user=${encodeURIComponent(user)}&k=3`)).json()) as any).provenance.version;
    }
    expect(version).toBe(registered[1].mv.version);
  }, 60_000);
});
