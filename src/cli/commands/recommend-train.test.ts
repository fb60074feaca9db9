// `millrace train --task recommendation`: the names scripts rely on (rmse, mae, *_at_10), the peer's --test-rows,
// implicit data (--target none), --save, by-time splits and errors that name the missing option.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { millrace } from "../../../test/cli.js";
import { loadRecommender } from "../../recommend/model.js";
import { syntheticRatings } from "../../recommend/synthetic.js";

describe("millrace train --task recommendation", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-rec-"));
  const s = syntheticRatings({ users: 120, items: 80, ratings: 3000, seed: 9 });
  const csv = path.join(dir, "ratings.csv");
  fs.writeFileSync(csv, ["user,item,rating,ts", ...s.users.map((u, j) => `${u},${s.items[j]},${s.ratings[j]},${s.time[j]}`), ",i0001,3,1"].join("\n") + "\n");
  const split = path.join(dir, "split.txt");
  fs.writeFileSync(split, Array.from({ length: 600 }, (_, j) => String(j * 5)).join("\n") + "\n");

  it("prints held-out rating and ranking metrics under the promised names, on the given test rows", () => {
    const model = path.join(dir, "svd.bin");
    const r = millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "rating", "--test-rows", split, "-p", "n_epochs=30", "--save", model, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.model).toBe("svd");
    expect(r.json.testRows).toBe(600);
    expect(r.json.trainRows).toBe(2400);
    expect(r.json.droppedRows).toBe(1);
    for (const k of ["rmse", "mae", "precision_at_10", "recall_at_10", "ndcg_at_10", "map_at_10", "coverage_at_10"]) expect(typeof r.json.metrics[k], k).toBe("number");
    expect(r.json.metrics.rmse).toBeLessThan(1.2);
    expect(r.json.relevance).toMatch(/80th percentile/); // the synthetic scale is not 1..5
    const saved = loadRecommender(fs.readFileSync(model));
    expect(saved.recommend("u0001", { k: 3 }).items).toHaveLength(3);
  });

  it("implicit data with --target none: als ranks, no rating errors; --k and --split by-time", () => {
    const r = millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "none", "--model", "als", "-p", "factors=8", "--k", "5", "--split", "by-time", "--time", "ts", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.feedback).toBe("implicit");
    expect(r.json.metrics.rmse).toBeUndefined();
    expect(r.json.metrics.recall_at_5).toBeGreaterThan(0);
    expect(r.json.split).toMatch(/latest/);
  });

  it("--cv: trainSeconds is all the training (CV folds + final fit), as a run's train_seconds, with the parts beside it", () => {
    const r = millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "rating", "-p", "n_epochs=5", "--cv", "2", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.cvSeconds).toBeGreaterThan(0);
    expect(r.json.finalFitSeconds).toBeGreaterThan(0);
    expect(r.json.trainSeconds).toBeGreaterThanOrEqual(r.json.finalFitSeconds + r.json.cvSeconds);
    const text = millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "rating", "-p", "n_epochs=5", "--cv", "2"]);
    expect(text.stdout).toMatch(/train [\d.]+ s \(of which 2 CV folds [\d.]+ s, final fit [\d.]+ s\)/);
  });

  it("says what is missing: --user, an unknown recommender, a parameter", () => {
    const a = millrace(["train", csv, "--task", "recommendation", "--item", "item", "--target", "rating", "--json"]);
    expect(a.code).not.toBe(0);
    expect(a.out).toMatch(/--user/);
    const b = millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "rating", "-m", "slope_one"]);
    expect(b.out).toMatch(/unknown recommender "slope_one"[\s\S]*svdpp/);
    const c = millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "rating", "-p", "n_factor=3"]);
    expect(c.out).toMatch(/unknown parameter "n_factor" for model svd/);
    const d = millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "itm", "--target", "rating"]);
    expect(d.out).toMatch(/item column "itm" is not in the data/);
  });
});

describe("millrace recommend (batch)", () => {
  it("writes every user's top K (popular items for unknown users, counted) as CSV and Parquet", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-recb-"));
    const s = syntheticRatings({ users: 60, items: 40, ratings: 900, seed: 2 });
    const csv = path.join(dir, "r.csv");
    fs.writeFileSync(csv, ["user,item,rating", ...s.users.map((u, j) => `${u},${s.items[j]},${s.ratings[j]}`)].join("\n") + "\n");
    const model = path.join(dir, "m.bin");
    expect(millrace(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "rating", "--save", model, "--json"]).code).toBe(0);
    const users = path.join(dir, "users.csv");
    fs.writeFileSync(users, "user\nu0001\nu0002\nstranger\n");
    const out = path.join(dir, "top.csv");
    const r = millrace(["recommend", "-m", model, "-i", users, "-o", out, "--k", "3", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json).toMatchObject({ users: 3, coldStartUsers: 1, k: 3 });
    const lines = fs.readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("user,rank,item,score,strategy");
    expect(lines).toHaveLength(1 + 9);
    expect(lines.filter((l) => l.startsWith("stranger,")).every((l) => l.endsWith(",popularity"))).toBe(true);
    const pq = path.join(dir, "top.parquet");
    expect(millrace(["recommend", "-m", model, "-i", users, "-o", pq]).code).toBe(0);
    expect(fs.statSync(pq).size).toBeGreaterThan(100);
    const bad = millrace(["recommend", "-m", model, "-i", users, "-o", out, "--user-column", "uid"]);
    expect(bad.out).toMatch(/user column "uid" is not in users.csv/);
  });
});
