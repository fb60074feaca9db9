// Cold start on real data (InstEval, ../shared/data): a fifth of the students are held out of training entirely;
// each is then ranked (a) by the popular items and (b) by the two_tower user tower from the one user feature the file
// has, `studage` (semester group: students of a year take that year's lectures; the most popular lecturers per group
// beat the overall most popular on NDCG@10, 0.206 vs 0.178 in a pandas check, so the feature carries signal). Relevant
// = the lecturers the held-out student rated. Implicit training (rating: none, 4 sampled negatives), user_id_dropout
// 0.9 so the tower learns the feature-only answer. The feature tower must beat popularity on NDCG@10, same users.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { RecommendIndex } from "../../serve/recommend-index.js";
import { rankingMetrics } from "../metrics.js";
import { sharedDataFile } from "../../../test/shared-data.js";
import { trainRecommender } from "../train.js";

const FILE = sharedDataFile("insteval_ratings.csv", "the two_tower cold-start test");

describe.skipIf(FILE === null)("two_tower cold start on InstEval", () => {
  it("ranks held-out students from their features better than popularity (NDCG@10)", () => {
    const lines = fs.readFileSync(FILE!, "utf8").trim().split("\n").slice(1);
    const rows = lines.map((l) => l.replaceAll('"', "").split(","));
    const users = rows.map((r) => r[0]);
    const items = rows.map((r) => r[1]);
    const studage = new Map(rows.map((r) => [r[0], r[2]]));
    // Hold out every 5th student (by id order of first appearance): all of their rows are test rows.
    const order = [...new Set(users)];
    const held = new Set(order.filter((_, j) => j % 5 === 2));
    const testRows = Uint32Array.from(users.flatMap((u, j) => (held.has(u) ? [j] : [])));
    const { model } = trainRecommender({
      table: {
        users, items, ratings: null,
        columns: { user: "s", item: "d", rating: null },
        userFeatures: { ids: order, numeric: {}, categorical: { studage: order.map((u) => studage.get(u)!) } },
      },
      model: "two_tower", testRows, seed: 7,
      params: { negatives: 4, epochs: 5, emb_dim: 16, user_layers: "32,16", item_layers: "32,16", user_id_dropout: 0.9, batch_size: 512, lr: 0.003, val_fraction: 0 },
    });
    const ix = new RecommendIndex(model);
    const heldUsers = [...held];
    const rated = new Map<string, Set<number>>(heldUsers.map((u) => [u, new Set()]));
    users.forEach((u, j) => (model.itemCode(items[j]) >= 0 ? rated.get(u)?.add(model.itemCode(items[j])) : undefined));
    const relevant = heldUsers.map((u) => rated.get(u)!);
    const lists = (byFeatures: boolean) => {
      const top = new Int32Array(heldUsers.length * 10).fill(-1);
      heldUsers.forEach((u, x) => {
        const rec = ix.recommend(u, { k: 10, ...(byFeatures ? { features: { studage: studage.get(u)! } } : {}) });
        expect(rec.cold_start).toBe(byFeatures ? "features" : "popularity");
        rec.items.forEach((it, r) => (top[x * 10 + r] = model.itemCode(it.item)));
      });
      return rankingMetrics({ k: 10, top, relevant, catalogue: model.itemIds.length });
    };
    const pop = lists(false);
    const feat = lists(true);
    console.log(`InstEval cold start, ${pop.users} held-out students: NDCG@10 popularity ${pop.ndcg!.toFixed(4)}, feature tower ${feat.ndcg!.toFixed(4)}; P@10 ${pop.precision!.toFixed(4)} vs ${feat.precision!.toFixed(4)}`);
    expect(pop.users).toBeGreaterThan(500);
    // Measured (seed 7): popularity 0.1923, feature tower 0.1997 (+0.0074); P@10 0.1689 vs 0.1749. With
    // user_id_dropout 0.3 / 0.5 the tower leaned on the id embedding and only tied popularity (0.191 / 0.193).
    expect(feat.ndcg!).toBeGreaterThan(pop.ndcg! + 0.005);
  });
});
