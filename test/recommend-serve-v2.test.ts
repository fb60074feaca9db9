// The top-K form of KServe V2 infer on a served recommender (registered, aliased, `millrace serve`d): only the user
// tensor → per user the same items and scores as /recommend, seen items left out, cold start said, bad input a 400
// naming the field; with the item tensor too it stays a pair score; the metadata lists both forms.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workspace } from "../src/app/workspace.js";
import { startServeProcess, type ServeProcess } from "../src/cli/serve-process.js";
import { loadProject } from "../src/project/load-project.js";
import { RecommenderPredictor } from "../src/recommend/predictor.js";
import { syntheticRatings } from "../src/recommend/synthetic.js";
import { trainRecommender } from "../src/recommend/train.js";

const repoRoot = path.resolve(import.meta.dirname, "..");
const data = syntheticRatings({ users: 60, items: 40, ratings: 1500, seed: 11 });
const fit = trainRecommender({ table: data, model: "svd", testRows: new Uint32Array(0), seed: 11 });
const { user: U, item: I } = data.columns;
let sp: ServeProcess | undefined;
let url = "";
let version = 0;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const post = async (p: string, body: unknown): Promise<{ status: number; j: any }> => {
  const r = await fetch(`${url}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, j: await r.json() };
};
const users = (data: unknown[], datatype = "BYTES") => ({ name: U, datatype, shape: [data.length], data });

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-rec-v2-"));
  fs.cpSync(path.join(repoRoot, "examples/churn"), dir, { recursive: true, filter: (src) => !src.includes(".millrace") && !src.includes("landing") });
  const yaml = path.join(dir, "millrace.yaml");
  fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("serve:\n  port: 8080", "serve:\n  port: 0"));
  version = await Workspace.useStores(loadProject(dir), async (r) => {
    const run = await r.tracker.startRun({ experiment: "recsys", name: "svd", params: fit.params });
    await run.finish("finished");
    const mv = await r.registry.register({ name: "churn", runId: run.id, datasetId: "ratings", datasetHash: "seed-11", artifact: fit.model.toBytes(), signature: new RecommenderPredictor(fit.model).signature, metrics: fit.metrics });
    await r.registry.setAlias("churn", "production", mv.version, { actor: "test", reason: "v2 top-k" });
    return mv.version;
  });
  sp = await startServeProcess(loadProject(dir), { port: 0 });
  url = sp.server.url;
}, 60_000);
afterAll(() => sp?.close());

describe("V2 infer top-K on a served recommender", () => {
  it("answers each user's top K with the items and scores /recommend gives, seen items left out, with provenance", async () => {
    const who = [data.users[0], data.users[1], data.users[2]];
    const { status, j } = await post("/v2/models/churn/infer", { id: "req-1", inputs: [users(who)], parameters: { k: 7 } });
    expect(status).toBe(200);
    expect(j).toMatchObject({ model_name: "churn", model_version: String(version), id: "req-1", parameters: { form: "top_k", k: 7, exclude_seen: true, cold_start_users: 0, alias: "production", dataset_hash: "seed-11" } });
    const [items, scores, cold] = j.outputs;
    expect(items).toMatchObject({ name: "items", datatype: "BYTES", shape: [3, 7] });
    expect(scores).toMatchObject({ name: "scores", datatype: "FP64", shape: [3, 7] });
    expect(cold).toMatchObject({ name: "cold_start", shape: [3], data: ["", "", ""] });
    for (let u = 0; u < who.length; u++) {
      const rec = await post("/recommend", { user: who[u], k: 7 });
      expect(items.data.slice(u * 7, u * 7 + 7)).toEqual(rec.j.items.map((x: { item: string }) => x.item));
      expect(scores.data.slice(u * 7, u * 7 + 7)).toEqual(rec.j.items.map((x: { score: number }) => x.score));
      const seen = new Set(data.users.flatMap((x, r) => (x === who[u] ? [data.items[r]] : [])));
      expect(seen.size).toBeGreaterThan(0);
      expect(items.data.slice(u * 7, u * 7 + 7).filter((x: string) => seen.has(x))).toEqual([]);
    }
    // exclude_seen false: the list /recommend gives with the flag off, which here holds seen items.
    const all = await post("/v2/models/churn/infer", { inputs: [users([who[0]])], parameters: { k: 40, exclude_seen: false } });
    const recAll = await post("/recommend", { user: who[0], k: 40, exclude_seen: false });
    expect(all.j.outputs[0].data).toEqual(recAll.j.items.map((x: { item: string }) => x.item));
    expect(all.j.outputs[0].data).toHaveLength(40);
    // A user who has seen most of the catalogue gets fewer than K unseen items: the row is padded ("" / null) and counted.
    const short = await post("/v2/models/churn/infer", { inputs: [users([who[0]])], parameters: { k: 40 } });
    const recShort = (await post("/recommend", { user: who[0], k: 40 })).j.items.map((x: { item: string }) => x.item);
    expect(recShort.length).toBeLessThan(40);
    expect(short.j.parameters.short_lists).toBe(1);
    expect(short.j.outputs[0].data).toEqual([...recShort, ...new Array(40 - recShort.length).fill("")]);
    expect(short.j.outputs[1].data.slice(recShort.length)).toEqual(new Array(40 - recShort.length).fill(null));
    // The default K is /recommend's; the versioned route answers the same.
    const dflt = await post(`/v2/models/churn/versions/${version}/infer`, { inputs: [users([who[1]])] });
    expect(dflt.status).toBe(200);
    expect(dflt.j.outputs[0].shape).toEqual([1, 10]);
    expect(dflt.j.outputs[0].data).toEqual((await post("/recommend", { user: who[1] })).j.items.map((x: { item: string }) => x.item));
  });

  it("an unknown user gets /recommend's cold-start list (popularity) and the answer says so; INT64 ids work", async () => {
    const { status, j } = await post("/v2/models/churn/infer", { inputs: [users([data.users[0], "someone-new"])], parameters: { k: 4 } });
    expect(status).toBe(200);
    expect(j.parameters.cold_start_users).toBe(1);
    expect(j.outputs[2].data).toEqual(["", "popularity"]);
    const rec = await post("/recommend", { user: "someone-new", k: 4 });
    expect(rec.j.cold_start).toBe("popularity");
    expect(j.outputs[0].data.slice(4)).toEqual(rec.j.items.map((x: { item: string }) => x.item));
    expect(j.outputs[1].data.slice(4)).toEqual(rec.j.items.map((x: { score: number }) => x.score));
    const ints = await post("/v2/models/churn/infer", { inputs: [users([7, 8], "INT64")], parameters: { k: 2 }, outputs: [{ name: "cold_start" }] });
    expect(ints.status).toBe(200);
    expect(ints.j.outputs).toEqual([expect.objectContaining({ name: "cold_start", data: ["popularity", "popularity"] })]);
  });

  it("with the item tensor too it stays the pair score", async () => {
    const { status, j } = await post("/v2/models/churn/infer", { inputs: [users([data.users[0]]), { name: I, datatype: "BYTES", shape: [1], data: [data.items[0]] }] });
    expect(status).toBe(200);
    expect(j.outputs[0].name).toBe("value");
    expect(j.outputs[0].data[0]).toBeCloseTo(fit.model.predictPairs([{ user: data.users[0], item: data.items[0] }])[0], 6);
  });

  it("bad input is a 400 naming the field", async () => {
    const cases: Array<[unknown, string]> = [
      [{ inputs: [{ name: "who", datatype: "BYTES", shape: [1], data: ["u"] }] }, "inputs"],
      [{ inputs: [users([data.users[0]])], parameters: { k: 0 } }, "parameters.k"],
      [{ inputs: [users([data.users[0]])], parameters: { k: 2.5 } }, "parameters.k"],
      [{ inputs: [users([data.users[0]])], parameters: { k: "3" } }, "parameters.k"],
      [{ inputs: [users([data.users[0]])], parameters: { k: 41 } }, "parameters.k"], // over the 40-item catalogue: refused
      [{ inputs: [users([data.users[0]])], parameters: { exclude_seen: "no" } }, "parameters.exclude_seen"],
      [{ inputs: [users([1.5], "INT64")] }, "inputs[0].data[0]"],
      [{ inputs: [users(["u"], "FP64")] }, "inputs[0].datatype"],
      [{ inputs: [{ ...users(["a", "b"]), shape: [3] }] }, "inputs[0].data"],
      [{ inputs: [users(["a"]), { name: "extra", datatype: "BYTES", shape: [1], data: ["x"] }] }, "inputs[1].name"],
      [{ inputs: [users(["a"])], outputs: [{ name: "value" }] }, "outputs[0].name"],
    ];
    for (const [body, field] of cases) {
      const { status, j } = await post("/v2/models/churn/infer", body);
      expect({ status, path: j.path }).toEqual({ status: 400, path: field });
    }
  });

  it("the model metadata lists the pair and top-K forms", async () => {
    const j = (await (await fetch(`${url}/v2/models/churn`)).json()) as { inputs: Array<{ name: string }>; outputs: Array<{ name: string; shape: number[] }>; parameters: Record<string, unknown> };
    expect(j.inputs.map((t) => t.name)).toEqual([U, I]);
    expect(j.outputs.map((t) => t.name)).toEqual(["value", "items", "scores", "cold_start"]);
    expect(j.parameters).toMatchObject({ forms: "pair, top_k", default_k: 10 });
    expect(String(j.parameters.top_k)).toContain("at most 40");
  });
});
