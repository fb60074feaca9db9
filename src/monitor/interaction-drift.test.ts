// Interaction drift on real data: InstEval split by time (lectage: how many semesters ago the lecture was; 3–6 older,
// 1–2 newer, 36,999 vs 36,422 ratings) shows the shift — a third of the newer ratings are by students absent from the
// older half, other lecturers are rated, ratings run higher — while two random halves of the same ratings show none,
// nor do 1,000 ratings of one half, whose item shares differ by sampling noise beyond the distance threshold.
// Served traffic: requests by unknown users and posted ratings reach the served-list monitor's statistics.
import { readFileSync } from "node:fs";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { sharedDataFile } from "../../test/shared-data.js";
import { Rng } from "../learn/rng.js";
import { loadRecommender } from "../recommend/model.js";
import { trainRecommender } from "../recommend/train.js";
import { interactionDrift, interactionReference, modelInteractionReference, type InteractionSample } from "./interaction-drift.js";
import { ServedListMonitor } from "./served-lists.js";

const file = sharedDataFile("insteval_ratings.csv", "interaction drift on InstEval");
const rows = file ? readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => l.replace(/"/g, "").split(",")) : [];
// Columns: s (student), d (lecturer), studage, lectage, service, dept, y (rating 1..5).
const sample = (rs: string[][]): InteractionSample => ({ users: rs.map((r) => r[0]), items: rs.map((r) => r[1]), ratings: Float64Array.from(rs, (r) => Number(r[6])) });

describe.skipIf(!file)("interaction drift on InstEval", () => {
  it("shows the shift between older and newer ratings, and none between two random halves", () => {
    const older = rows.filter((r) => Number(r[3]) >= 3);
    const newer = rows.filter((r) => Number(r[3]) <= 2);
    const byTime = interactionDrift(interactionReference(sample(older)), sample(newer));
    expect(byTime.referenceRows).toBe(36_999);
    expect(byTime.currentRows).toBe(36_422);
    expect(byTime.newUsers!.share).toBeGreaterThan(0.3); // 36.6%: students who rated only newer lectures
    expect(byTime.newUsers!.drifted).toBe(true);
    expect(byTime.userActivity!.method).toBe("psi");
    expect(byTime.userActivity!.score).toBeGreaterThan(1); // 1.17
    expect(byTime.items!.method).toBe("jensenshannon");
    expect(byTime.items!.score).toBeGreaterThan(0.25); // 0.33: other lecturers
    expect(byTime.itemPopularity!.score).toBeGreaterThan(0.2); // 0.23
    expect(byTime.drifted).toEqual(["items", "itemPopularity", "userActivity", "newUsers"]);
    // Each side read as 5,000 drawn interactions (maxReference): the same verdict.
    const thinned = interactionDrift(interactionReference(sample(older)), sample(newer), { maxReference: 5000 });
    expect(thinned.items!.referenceRows).toBe(5000);
    expect(thinned.items!.currentRows).toBe(5000);
    expect(thinned.drifted).toEqual(byTime.drifted);
    // Mean rating 3.15 → 3.26: real but small, PSI 0.007 stays under 0.1; KS over 36k ratings rejects it.
    expect(byTime.rating!.score).toBeLessThan(0.1);
    const ks = interactionDrift(interactionReference(sample(older)), sample(newer), { methods: { rating: "ks" } }).rating!;
    expect(ks.scoreIs).toBe("p_value");
    expect(ks.pValue).toBeLessThan(1e-10);
    expect(ks.drifted).toBe(true);

    const order = new Rng(3).shuffle(Int32Array.from(rows.keys()));
    const half = rows.length >> 1;
    const a = Array.from(order.subarray(0, half), (x) => rows[x]);
    const b = Array.from(order.subarray(half), (x) => rows[x]);
    const same = interactionDrift(interactionReference(sample(a)), sample(b), { methods: { rating: "ks" } });
    expect(same.drifted).toEqual([]);
    expect(same.rating!.pValue).toBeGreaterThan(0.05);
    expect(same.items!.score).toBeLessThan(0.1); // 0.085: sampling noise over 1,128 lecturers
    expect(same.itemPopularity!.score).toBeLessThan(0.01);
    expect(same.userActivity!.score).toBeLessThan(0.05);
    expect(same.newUsers!.share).toBeLessThan(0.01);
    expect(same.newItems!.share).toBeLessThan(0.01);
    // 1,000 ratings of the same distribution: item shares' JS passes its threshold on sampling noise alone, the
    // reference's own samples of that size score as high, so nothing drifts.
    const small = interactionDrift(interactionReference(sample(a)), sample(b.slice(0, 1000)));
    expect(small.items!.score).toBeGreaterThan(small.items!.threshold);
    expect(small.items!.noise).toBeGreaterThan(small.items!.score!);
    expect(small.drifted).toEqual([]);
  });

  it("reads its reference from a trained model's artifact and finds the newer ratings' shift from it", () => {
    const older = rows.filter((r) => Number(r[3]) >= 3);
    const newer = rows.filter((r) => Number(r[3]) <= 2);
    const table = { ...sample(older), columns: { user: "s", item: "d", rating: "y" } };
    const model = loadRecommender(trainRecommender({ table, model: "baseline", testRows: new Uint32Array(0), seed: 1 }).model.toBytes());
    const ref = modelInteractionReference(model);
    const direct = interactionReference(sample(older));
    expect(ref.rows).toBe(direct.rows);
    expect(Float64Array.from(ref.ratings!).sort()).toEqual(Float64Array.from(direct.ratings!).sort());
    const fromModel = interactionDrift(ref, sample(newer));
    const fromRows = interactionDrift(direct, sample(newer));
    for (const part of ["rating", "items", "itemPopularity", "userActivity"] as const) expect(fromModel[part]!.score).toBeCloseTo(fromRows[part]!.score!, 12);
    expect(fromModel.newUsers).toEqual(fromRows.newUsers);
  });
});

describe.skipIf(!file)("interaction drift of served traffic", () => {
  it("counts requests by unknown users and compares posted ratings with the training ratings", async () => {
    const older = rows.filter((r) => Number(r[3]) >= 3);
    const newer = rows.filter((r) => Number(r[3]) <= 2);
    const model = trainRecommender({ table: { ...sample(older), columns: { user: "s", item: "d", rating: "y" } }, model: "baseline", testRows: new Uint32Array(0), seed: 1 }).model;
    const registry = new Registry();
    const mon = new ServedListMonitor({ registry, model: () => model, minLists: 100 });
    // The newer ratings arrive as traffic: each (student, lecturer, rating) is a request, then that rating as feedback.
    newer.slice(0, 3000).forEach((r, j) => {
      const rec = model.recommend(r[0], { k: 10 });
      mon.record({ id: `l${j}`, model: "lecturers", version: 1, alias: null, at: "", latencyMs: 1, user: r[0], k: 10, strategy: rec.strategy, items: rec.items.map((i) => i.item), scores: rec.items.map((i) => i.score) });
      mon.handle({ feedback: [{ id: `l${j}`, items: [r[1]], ratings: [Number(r[6])] }] });
    });
    const s = mon.stats("lecturers", 1)!.interactions;
    const cold = newer.slice(0, 3000).filter((r) => model.userCode(r[0]) < 0).length;
    expect(s.requests!.newUsers!.share).toBeCloseTo(cold / 3000, 12);
    expect(s.requests!.newUsers!.drifted).toBe(true);
    expect(s.requests!.items).toBeNull();
    expect(s.feedback!.currentRows).toBe(3000);
    expect(s.feedback!.rating).not.toBeNull();
    expect(s.feedback!.drifted).toContain("items");
    mon.publish();
    const gauge = await registry.getSingleMetric("millrace_recommend_interaction_drift")!.get();
    const at = (source: string, part: string) => gauge.values.find((v) => v.labels.source === source && v.labels.part === part)?.value;
    expect(at("requests", "newUsers")).toBe(1);
    expect(at("feedback", "items")).toBe(1);
    expect((await registry.getSingleMetric("millrace_recommend_new_user_share")!.get()).values[0].value).toBeCloseTo(cold / 3000, 12);
    expect(() => mon.handle({ feedback: [{ id: "l0", items: ["1", "2"], ratings: [5] }] })).toThrow(/feedback\[0\]\.ratings/);
  });
});
