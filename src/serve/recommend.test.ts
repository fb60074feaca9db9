// GET/POST /recommend on a served recommender (no socket): top-K with provenance, seen items left out, cold start
// said aloud (popularity, or a two_tower model's feature tower from the request's features), 4xx naming the field, and POST /predict scoring (user, item) pairs through the same model.
import { describe, expect, it } from "vitest";
import { loadRecommender } from "../recommend/model.js";
import { RecommenderPredictor } from "../recommend/predictor.js";
import { syntheticRatings } from "../recommend/synthetic.js";
import { trainRecommender } from "../recommend/train.js";
import { createApp } from "./app.js";
import { recommendIndex } from "./recommend-index.js";
import type { ServedModel } from "./types.js";

const table = syntheticRatings({ users: 80, items: 50, ratings: 1500, seed: 3 });
const { model } = trainRecommender({ table, model: "svd", params: { n_factors: 8 }, testRows: new Uint32Array(0), seed: 1 });
const provenance = { model: "recs", version: 3, alias: "production", runId: "r1", datasetId: "d1", datasetHash: "h1", artifactUri: "file:///m.bin" };
const served: ServedModel = { predictor: new RecommenderPredictor(model), provenance };
const app = createApp({ models: { current: () => served } });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const read = async (r: Response): Promise<any> => r.json();
const post = (path: string, body: unknown) => app.fetch(new Request(`http://x${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));

describe("/recommend", () => {
  it("answers the top K for a known user with scores, ranks and provenance, without the items the user has seen", async () => {
    const r = await post("/recommend", { user: "u0004", k: 5 });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-millrace-model")).toBe("recs");
    const b = await read(r);
    expect(b.strategy).toBe("model");
    expect(b.provenance).toEqual(provenance);
    expect(b.items.map((x: { rank: number }) => x.rank)).toEqual([1, 2, 3, 4, 5]);
    const scores = b.items.map((x: { score: number }) => x.score);
    expect([...scores].sort((a, c) => c - a)).toEqual(scores);
    const seen = new Set(table.users.flatMap((u, j) => (u === "u0004" ? [table.items[j]] : [])));
    expect(b.items.some((x: { item: string }) => seen.has(x.item))).toBe(false);
    // Including seen items changes the list when a seen item scores high enough; the flag is honoured either way.
    const all = await read(await post("/recommend", { user: "u0004", k: 50, exclude_seen: false }));
    expect(all.items).toHaveLength(50);
    // A candidate filter ranks only those items; GET says the same as POST.
    const some = await read(await post("/recommend", { user: "u0004", k: 3, candidates: ["i0001", "i0002", "nope"], exclude_seen: false }));
    expect(some.items.map((x: { item: string }) => x.item).sort()).toEqual(["i0001", "i0002"]);
    const g = await read(await app.fetch(new Request("http://x/recommend?user=u0004&k=5")));
    expect(g.items).toEqual(b.items);
  });

  it("a user unknown to the model gets the popular items, and the answer says so", async () => {
    const b = await read(await post("/recommend", { user: "someone-new", k: 3 }));
    expect(b.strategy).toBe("popularity");
    expect(b.cold_start).toBe("popularity");
    expect(b.note).toMatch(/not in the training data/);
    expect(b.items).toHaveLength(3);
    // svd has no feature tower: features change nothing, and the note says why.
    const f = await read(await post("/recommend", { user: "someone-new", k: 3, features: { taste: 1 } }));
    expect(f.cold_start).toBe("popularity");
    expect(f.items).toEqual(b.items);
    expect(f.note).toMatch(/features were not used: svd has no feature tower/);
  });

  it("an unknown user with features is ranked by a two_tower model's user tower; bad features are a 400 naming them", async () => {
    const tt = trainRecommender({
      table, model: "two_tower", testRows: new Uint32Array(0), seed: 1,
      params: { epochs: 3, emb_dim: 4, user_layers: "8,4", item_layers: "8,4", batch_size: 128, user_id_dropout: 0.3 },
    }).model;
    const ttApp = createApp({ models: { current: () => ({ predictor: new RecommenderPredictor(tt), provenance }) } });
    const ask = async (body: unknown) => ttApp.fetch(new Request("http://x/recommend", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
    const lo = await read(await ask({ user: "new-1", k: 5, features: { taste: -2, segment: "low" } }));
    const hi = await read(await ask({ user: "new-2", k: 5, features: { taste: 2, segment: "high" } }));
    for (const b of [lo, hi]) {
      expect(b.strategy).toBe("features");
      expect(b.cold_start).toBe("features");
      expect(b.items.map((x: { rank: number }) => x.rank)).toEqual([1, 2, 3, 4, 5]);
    }
    expect(hi.items.map((x: { item: string }) => x.item)).not.toEqual(lo.items.map((x: { item: string }) => x.item));
    // The same features give the same list, also from the saved artifact; no features = popularity; a known user
    // is the model's own ranking.
    expect((await read(await ask({ user: "new-3", k: 5, features: { taste: 2, segment: "high" } }))).items).toEqual(hi.items);
    const reloaded = recommendIndex(loadRecommender(tt.toBytes()));
    expect(reloaded.recommend("new-6", { k: 5, features: { taste: 2, segment: "high" } }).items).toEqual(hi.items);
    expect((await read(await ask({ user: "new-4", k: 5 }))).cold_start).toBe("popularity");
    const known = await read(await ask({ user: "u0004", k: 5, features: { taste: 2 } }));
    expect(known.strategy).toBe("model");
    expect(known.cold_start).toBeUndefined();
    const viaGet = await read(await ttApp.fetch(new Request(`http://x/recommend?user=new-7&k=5&features=${encodeURIComponent(JSON.stringify({ taste: 2, segment: "high" }))}`)));
    expect(viaGet.items).toEqual(hi.items);
    const notJson = await ttApp.fetch(new Request("http://x/recommend?user=new-7&features=taste:2"));
    expect(notJson.status).toBe(400);
    expect((await read(notJson)).path).toBe("features");
    for (const [features, field] of [[{ color: "red" }, "features.color"], [{ taste: "high" }, "features.taste"], [{ segment: [1] }, "features.segment"]] as const) {
      const r = await ask({ user: "new-5", features });
      expect(r.status, JSON.stringify(features)).toBe(400);
      expect((await read(r)).path).toBe(field);
    }
  });

  it("bad input is a 400 naming the field; no model is a 503; a tabular model is told apart", async () => {
    for (const [body, field] of [[{ k: 3 }, "user"], [{ user: "u1", k: 0 }, "k"], [{ user: "u1", k: "ten" }, "k"], [{ user: "u1", color: "red" }, "color"], [{ user: "u1", candidates: "i1" }, "candidates"]] as const) {
      const r = await post("/recommend", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      const e = await read(r);
      expect(e.path).toBe(field);
    }
    const none = createApp({ models: { current: () => null } });
    expect((await none.fetch(new Request("http://x/recommend?user=u1"))).status).toBe(503);
    const tabular = createApp({ models: { current: () => ({ provenance, predictor: { signature: { inputs: [], output: { task: "regression" } }, predictRecords: () => [] } }) } });
    const t = await tabular.fetch(new Request("http://x/recommend?user=u1"));
    expect(t.status).toBe(400);
    expect((await read(t)).message).toMatch(/not a recommender/);
  });

  it("POST /predict scores (user, item) pairs with the same model", async () => {
    const r = await post("/predict", { records: [{ user: "u0004", item: "i0007" }, { user: "new", item: "i0007" }] });
    expect(r.status).toBe(200);
    const b = await read(r);
    expect(b.predictions[0].value).toBeCloseTo(model.predictPairs([{ user: "u0004", item: "i0007" }])[0], 9);
    expect(Number.isFinite(b.predictions[1].value)).toBe(true);
  });
});
