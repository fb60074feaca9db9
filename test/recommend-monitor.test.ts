// Monitoring served recommendation lists through a real `millrace serve` process on the example project: every
// /recommend answer carries an id and lands in the prediction log; clicks posted to /feedback with those ids become
// live precision@10 on /metrics; coverage, popularity skew and score drift are on /metrics and
// GET /monitor/recommendations; bad list feedback is a 400 naming the field.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Workspace } from "../src/app/workspace.js";
import { startServeProcess, type ServeProcess } from "../src/cli/serve-process.js";
import { loadProject } from "../src/project/load-project.js";
import { identityTestRows } from "../src/recommend/compare.js";
import { RecommenderPredictor } from "../src/recommend/predictor.js";
import { trainRecommender } from "../src/recommend/train.js";
import { copyExample } from "./cli.js";

describe("monitoring served lists through millrace serve", () => {
  let sp: ServeProcess | undefined;
  afterAll(() => sp?.close());

  it("logs lists, joins clicks to them and exports live precision@10, coverage, skew and score drift", async () => {
    const dir = copyExample("recommend");
    const rows = fs.readdirSync(path.join(dir, "data/landing")).sort().flatMap((f) => fs.readFileSync(path.join(dir, "data/landing", f), "utf8").trim().split("\n").slice(1)).map((l) => l.split(","));
    const table = { users: rows.map((r) => r[0]), items: rows.map((r) => r[1]), ratings: Float64Array.from(rows, (r) => Number(r[2])), columns: { user: "user_id", item: "item_id", rating: "rating" } };
    const testRows = identityTestRows(table.users, table.items, 0.2, 42);
    const fit = trainRecommender({ table, model: "als", params: { factors: 16, regularization: 20, alpha: 2 }, testRows, seed: 1 });
    const yaml = path.join(dir, "millrace.yaml");
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("serve:\n  port: 8080", "serve:\n  port: 8080\n  token: monitor-test-token"));
    const auth = { authorization: "Bearer monitor-test-token" };
    const project = loadProject(dir);
    await Workspace.useStores(project, async (r) => {
      const run = await r.tracker.startRun({ experiment: "films", name: "als" });
      await run.finish("finished");
      const mv = await r.registry.register({ name: "films", runId: run.id, datasetId: "example", datasetHash: "seed-15", artifact: fit.model.toBytes(), signature: new RecommenderPredictor(fit.model).signature, metrics: fit.metrics });
      await r.registry.setAlias("films", "production", mv.version, { actor: "test", reason: "monitor test" });
    });
    sp = await startServeProcess(project, { port: 0 });
    const url = sp.server.url;

    const liked = new Map<string, string[]>();
    for (const r of testRows) if (table.ratings[r] >= 4) liked.set(table.users[r], [...(liked.get(table.users[r]) ?? []), table.items[r]]);
    const users = [...liked.keys()].slice(0, 150);
    const lists: { id: string; user: string; items: string[] }[] = [];
    for (const user of users) {
      const body = (await (await fetch(`${url}/recommend?user=${user}&k=10`, { headers: auth })).json()) as any;
      expect(typeof body.id).toBe("string");
      lists.push({ id: body.id, user, items: body.items.map((i: any) => i.item) });
    }
    let hits = 0;
    for (const l of lists) hits += l.items.filter((i) => liked.get(l.user)!.includes(i)).length;

    const post = (feedback: unknown) => fetch(`${url}/feedback`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ feedback }) });
    const joined = (await (await post(lists.map((l) => ({ id: l.id, items: liked.get(l.user) })))).json()) as any;
    expect(joined).toEqual({ joined: 150, unknown: [] });
    const bad = await post([{ id: lists[0].id, items: "i0001" }]);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).path).toBe("feedback[0].items");

    const report = (await (await fetch(`${url}/monitor/recommendations`, { headers: auth })).json()) as any;
    const stats = report.versions.find((v: any) => v.model === "films").stats;
    expect(stats.lists).toBe(150);
    expect(stats.feedback.precision).toBeCloseTo(hits / 1500, 12);
    expect(stats.coverage).toBeGreaterThan(0.2);
    expect(stats.headShareTrain).toBeGreaterThan(0);
    expect(stats.scoreDrift.drifted).toBe(false);
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/millrace_live_metric\{model="films",version="1",metric="precision_at_10"\} 0\.\d+/);
    expect(metrics).toMatch(/millrace_recommend_coverage\{model="films",version="1"\} 0\.\d+/);
    expect(metrics).toMatch(/millrace_recommend_score_psi\{model="films",version="1"\} \d/);
    expect(metrics).toContain('millrace_recommend_lists_total{model="films",version="1",strategy="model"} 150');

    // The dashboard's evaluation of a version is tabular: for a recommender it says so (400), not a 500.
    const evaluation = await fetch(`${url}/api/models/films/1/evaluation`, { headers: auth });
    expect(evaluation.status).toBe(400);
    expect(((await evaluation.json()) as any).message).toMatch(/films v1 is a recommender/);

    await sp.close();
    sp = undefined;
    const logDir = path.join(project.paths.predictions, "films", "1");
    const lines = fs.readdirSync(logDir).filter((f) => f.endsWith(".ndjson")).flatMap((f) => fs.readFileSync(path.join(logDir, f), "utf8").trim().split("\n")).map((l) => JSON.parse(l));
    const logged = lines.filter((l) => l.response?.items);
    expect(logged.map((l) => l.response.id).sort()).toEqual(lists.map((l) => l.id).sort());
    expect(logged[0].request).toMatchObject({ k: 10 });
  }, 60_000);
});
