// Point-in-time training sets on hand-made timelines (ties, TTL expiry, late-arriving rows, missing entities), checked
// row by row against a brute-force answer computed in JS; a plain join of the latest features fails the same check.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DAY, T0, at, featureProject, setup, values, type Row } from "./feature-store-fixture.js";
import { buildTrainingSet } from "../src/featurestore/training-set.js";
import { tableLineage } from "../src/lake/lineage.js";
import { ConfigError } from "../src/errors.js";

/** The right value for each label by brute force: the latest row with day ≤ label day (ties: highest created), within ttl days. */
function expected(rows: Row[], id: number, day: number, ttlDays: number): number | null {
  const cands = rows.filter((r) => r.id === id && r.day <= day).sort((a, b) => a.day - b.day || (a.created ?? 0) - (b.created ?? 0));
  const last = cands[cands.length - 1];
  return last && last.day >= day - ttlDays ? last.value : null;
}

/** Rows whose income or amount differ from the point-in-time answer (a leak or a miss). */
function wrongRows(out: Record<string, unknown>[], profile: Row[], spend: Row[]): string[] {
  const bad: string[] = [];
  for (const r of out) {
    const day = (Date.parse(String(r.ts).replace(" ", "T") + "Z") - T0) / DAY;
    const id = Number(r.customer_id);
    const inc = expected(profile, id, day, 4);
    const amt = expected(spend, id, day, 30);
    if (r.income !== inc || r.amount !== amt) bad.push(`${id}@${day}: income ${String(r.income)} (want ${inc}), amount ${String(r.amount)} (want ${amt})`);
  }
  return bad;
}

const profile: Row[] = [
  { id: 1, day: 1, value: 100 },
  { id: 1, day: 5, value: 200, created: 1 },
  { id: 1, day: 5, value: 250, created: 2 }, // same event time, written later: wins
  { id: 1, day: 10, value: 300 },
  { id: 2, day: 2, value: 0 },
  { id: 2, day: 30, value: 999 }, // after every label of customer 2: must never be seen
];
const spend: Row[] = [
  { id: 1, day: 0, value: 10 },
  { id: 1, day: 9, value: 40 },
  { id: 2, day: 3, value: 7 },
];
const labels = [
  { id: 1, day: 0, label: 0 }, // before any profile row
  { id: 1, day: 5, label: 1 }, // tie with the feature row's time: included
  { id: 1, day: 7, label: 0 },
  { id: 1, day: 12, label: 1 }, // day-10 row within the 4-day TTL
  { id: 1, day: 20, label: 0 }, // day-10 row expired
  { id: 2, day: 4, label: 1 }, // income 0: ratio null (x / 0)
  { id: 3, day: 4, label: 0 }, // no such entity
];

describe("point-in-time training sets", () => {
  it("gives each label the latest feature row at or before it, within the TTL, and records the versions it read", async () => {
    const { lake, project } = await setup(profile, spend, labels);
    const r = await buildTrainingSet(lake, project, project.config.feature_store!.training_sets[0]);
    expect(r.rows).toBe(labels.length);
    const out = await lake.query(`SELECT * FROM gold.training ORDER BY customer_id, ts`);
    expect(wrongRows(out, profile, spend)).toEqual([]);
    const byKey = (id: number, day: number) => out.find((o) => o.customer_id === id && String(o.ts) === at(day))!;
    expect(byKey(1, 5).income).toBe(250);
    expect(byKey(1, 20).income).toBeNull();
    expect(byKey(2, 4).spend_ratio).toBeNull();
    expect(byKey(1, 12).spend_ratio).toBe(40 / 300);
    expect(byKey(3, 4).income).toBeNull();
    // The version records what it was built from, and lineage walks to the views.
    expect(r.version.operation).toBe("training_set");
    expect(r.version.parents.map((p) => p.table).sort()).toEqual(["silver.labels", "silver.profile", "silver.spend"]);
    expect((r.version.info as { views: unknown[] }).views).toEqual([
      { view: "profile", table: "silver.profile", version: 1 },
      { view: "spend", table: "silver.spend", version: 1 },
    ]);
    const tree = tableLineage(lake, r.version);
    expect(tree.parents.map((p) => p.table).sort()).toEqual(["silver.labels", "silver.profile", "silver.spend"]);
    // Unchanged inputs: the same version is reused.
    expect((await buildTrainingSet(lake, project, project.config.feature_store!.training_sets[0])).reused).toBe(true);
  });

  it("the same check catches a plain join's leak of later values", async () => {
    const { lake } = await setup(profile, spend, labels);
    // What a hand-written training table does: join each label to the entity's latest feature row.
    const plain = await lake.query(`
      SELECT l.*, p.income, s.amount FROM silver.labels l
      LEFT JOIN (SELECT * FROM silver.profile QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY ts DESC, created DESC) = 1) p USING (customer_id)
      LEFT JOIN (SELECT * FROM silver.spend QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY ts DESC) = 1) s USING (customer_id)`);
    const wrong = wrongRows(plain, profile, spend);
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.some((w) => w.includes("income 999"))).toBe(true);
  });

  it("a late-arriving feature row (appended later with an earlier event time) is used by the next build", async () => {
    const { lake, project } = await setup(profile, spend, labels);
    const spec = project.config.feature_store!.training_sets[0];
    await buildTrainingSet(lake, project, spec);
    const late: Row = { id: 1, day: 6, value: 260, created: 0 };
    await lake.materialize("silver.profile", `SELECT * FROM ${lake.relation((await lake.current("silver.profile"))!)} UNION ALL SELECT * FROM (VALUES ${values([late], true)}) t(customer_id, ts, income, created)`, { parents: [] });
    const r = await buildTrainingSet(lake, project, spec);
    expect(r.reused).toBe(false);
    expect(r.views[0].version).toBe(2);
    const out = await lake.query(`SELECT * FROM gold.training`);
    expect(wrongRows(out, [...profile, late], spend)).toEqual([]);
    expect(out.find((o) => o.customer_id === 1 && String(o.ts) === at(7))!.income).toBe(260);
  });

  it("a new view version whose rows give the same training set keeps the previous version (nothing downstream changes)", async () => {
    const { lake, project } = await setup(profile, spend, labels);
    const spec = project.config.feature_store!.training_sets[0];
    const first = await buildTrainingSet(lake, project, spec);
    // The same rows rewritten in another order (what a source that bumps updated_at, or a rebuilt model, leaves).
    await lake.materialize("silver.spend", `SELECT * FROM ${lake.relation((await lake.current("silver.spend"))!)} ORDER BY amount DESC`, { parents: [] });
    const again = await buildTrainingSet(lake, project, spec);
    expect(again.views[1].version).toBe(2);
    expect([again.reused, again.version.version, again.version.contentHash]).toEqual([true, first.version.version, first.version.contentHash]);
    // A row that changes what a label sees makes a new version.
    await lake.materialize("silver.spend", `SELECT * FROM ${lake.relation((await lake.current("silver.spend"))!)} UNION ALL SELECT 1, TIMESTAMP '${at(11)}', 55`, { parents: [] });
    const changed = await buildTrainingSet(lake, project, spec);
    expect([changed.reused, changed.version.version]).toEqual([false, 2]);
    expect((await lake.query(`SELECT amount FROM gold.training WHERE customer_id = 1 AND ts = TIMESTAMP '${at(12)}'`))[0].amount).toBe(55);
  });

  it("a view naming a column its table lacks is an error naming millrace.yaml's line", async () => {
    const { lake, dir } = await setup(profile, spend, labels);
    fs.writeFileSync(path.join(dir, "millrace.yaml"), "name: x\nfeature_store:\n  feature_views:\n    - name: profile\n      features:\n        - name: income\n        - name: wealth\n");
    const base = featureProject(dir);
    const views = base.config.feature_store!.feature_views;
    views[0] = { ...views[0], features: [...views[0].features, { name: "wealth", type: "number" }] };
    const err = await buildTrainingSet(lake, base, base.config.feature_store!.training_sets[0]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^millrace\.yaml:7:\d+ feature view profile: feature "wealth" is not a column of silver\.profile/);
  });
});

describe("feature_store definitions", () => {
  const yaml = (entity: string) => `name: x
sources: [{ name: a }]
dataset: { table: gold.t, target: y, task: binary }
train: { candidates: [{ name: lr, model: logistic_regression }] }
registry: { model: m }
feature_store:
  entities:
    - { name: customer, join_keys: [customer_id] }
  feature_views:
    - name: profile
      source: silver.profile
      entity: ${entity}
      timestamp: ts
      ttl: 30d
      features: [{ name: income, type: number }]
  on_demand_features:
    - { name: half, expression: "income / 2" }
  feature_services:
    - { name: svc, features: [profile, half] }
`;
  it("loads a valid section and refuses a view naming a missing entity at its line", async () => {
    const { projectFromYaml } = await import("../src/project/load-project.js");
    const p = projectFromYaml(yaml("customer"), "/tmp/millrace.yaml");
    expect(p.config.feature_store!.feature_views[0].ttl).toBe(30 * DAY);
    expect(() => projectFromYaml(yaml("client"), "/tmp/millrace.yaml")).toThrow(/millrace\.yaml:12:\d+ feature_store\.feature_views\.0\.entity: no entity "client"/);
    expect(() => projectFromYaml(yaml("customer").replace("income / 2", "income / "), "/tmp/millrace.yaml")).toThrow(/on_demand_features\.0\.expression: not an on-demand expression/);
    expect(() => projectFromYaml(yaml("customer").replace("[profile, half]", "[profile:wealth]"), "/tmp/millrace.yaml")).toThrow(/view profile has no feature "wealth"/);
  });
});
