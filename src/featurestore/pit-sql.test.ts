// The point-in-time SQL that training sets run (pit-sql.ts), on hand-made timelines (ties, TTL expiry, late-arriving
// rows, missing entities, NULL keys and times, two entities) with the answers written out, and on random timelines
// checked label by label against a brute-force answer computed in JS.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Duck } from "../lake/duck.js";
import { featureStoreSchema } from "../project/config-features.js";
import { rng } from "../serve/test-helpers/rng.js";
import { resolveService, sourceOrderOf } from "./definitions.js";
import { pointInTimeSql, type PointInTimeInputs } from "./pit-sql.js";

let duck: Duck;
beforeEach(async () => void (duck = await Duck.open()));
afterEach(() => duck.close());

const store = (views: unknown[], services: unknown[], onDemand: unknown[] = []) =>
  featureStoreSchema.parse({
    entities: [{ name: "customer", join_keys: ["customer_id"] }, { name: "place", join_keys: ["region"] }],
    feature_views: views,
    on_demand_features: onDemand,
    feature_services: services,
  });

async function join(inputs: PointInTimeInputs): Promise<Record<string, unknown>[]> {
  await duck.run(`CREATE OR REPLACE TABLE out AS ${pointInTimeSql(inputs)}`);
  return duck.rows(`SELECT * FROM out ORDER BY lid`);
}

describe("point-in-time SQL on hand-made timelines", () => {
  it("ties, TTL expiry, late rows, missing entities, NULL keys and times, strings, two entities, on-demand features", async () => {
    const ts = (d: number, h = 0) => `TIMESTAMP '2026-01-01 00:00:00' + INTERVAL ${d} DAY + INTERVAL ${h} HOUR`;
    await duck.run(`CREATE TABLE profile AS SELECT * FROM (VALUES
      (1, ${ts(1)}, ${ts(1)}, 100.0, 'bronze'),
      (1, ${ts(5)}, ${ts(5)}, 200.0, 'silver'),
      (1, ${ts(5)}, ${ts(6)}, 250.0, 'gold'),          -- same event time, written later: wins
      (1, ${ts(5)}, NULL, 999.0, 'never'),             -- NULL written time loses the tie
      (1, ${ts(10)}, ${ts(10)}, NULL, NULL),           -- the latest row's NULLs are the answer, not older values
      (2, ${ts(2)}, ${ts(2)}, 0.0, 'new'),
      (2, ${ts(30)}, ${ts(30)}, 5.0, 'later'),         -- after every label of customer 2
      (NULL, ${ts(3)}, ${ts(3)}, 7.0, 'nobody'),       -- NULL key: never joined
      (4, NULL, ${ts(3)}, 8.0, 'timeless')             -- NULL event time: never joined
    ) t(customer_id, ts, created, income, tier)`);
    await duck.run(`CREATE TABLE spend AS SELECT * FROM (VALUES
      (1, DATE '2026-01-01', CAST(10 AS BIGINT)), (1, DATE '2026-01-10', 40), (2, DATE '2026-01-04', 7),
      (1, DATE '2026-01-07', 30)                       -- late-arriving: appended last, earlier event time
    ) t(customer_id, day, amount)`);
    await duck.run(`CREATE TABLE regions AS SELECT * FROM (VALUES
      ('north', CAST(${ts(0)} AS TIMESTAMPTZ), 0.5), ('north', CAST(${ts(8)} AS TIMESTAMPTZ), 0.7), ('south', CAST(${ts(1)} AS TIMESTAMPTZ), 0.1)
    ) t(region, seen_at, rate)`);
    await duck.run(`CREATE TABLE labels AS SELECT * FROM (VALUES
      (0, 1, 'north', ${ts(0)}, 0, 5.0), (1, 1, 'north', ${ts(5)}, 1, 5.0), (2, 1, 'south', ${ts(7)}, 0, 5.0),
      (3, 1, 'north', ${ts(12)}, 1, 5.0), (4, 1, 'north', ${ts(20)}, 0, 5.0), (5, 2, NULL, ${ts(4)}, 1, 5.0),
      (6, 3, 'west', ${ts(4)}, 0, 5.0), (7, NULL, 'north', ${ts(9)}, 1, 5.0), (8, 1, 'north', NULL, 0, 5.0),
      (9, 1, 'north', ${ts(5)}, 0, 6.0), (10, 4, 'south', ${ts(4)}, 1, 5.0), (11, 1, 'north', ${ts(5, 1)}, 0, 5.0)
    ) t(lid, customer_id, region, ts, label, asked)`);
    const fs = store(
      [
        { name: "profile", source: "silver.profile", entity: "customer", timestamp: "ts", created_timestamp: "created", ttl: "4d", features: [{ name: "income", type: "number" }, { name: "tier", type: "string" }] },
        { name: "spend", source: "silver.spend", entity: "customer", timestamp: "day", ttl: "30d", features: [{ name: "amount", type: "integer" }] },
        { name: "place", source: "silver.regions", entity: "place", timestamp: "seen_at", ttl: "10d", features: [{ name: "rate", type: "number" }] },
      ],
      [
        { name: "svc", features: ["profile", "spend", "place", "per_income"], request_fields: [{ name: "asked", type: "number" }] },
        { name: "by_customer", features: ["profile", "spend"] },
      ],
      [{ name: "per_income", expression: "asked / income" }],
    );
    const out = await join({ service: resolveService(fs, "svc"), labels: "labels", timestamp: "ts", views: ["profile", "spend", "regions"] });
    expect(out.length).toBe(12); // every label row once, matched or not
    expect((await duck.rows(`DESCRIBE out`)).map((c) => `${String(c.column_name)} ${String(c.column_type)}`)).toEqual([
      "lid INTEGER", "customer_id INTEGER", "region VARCHAR", "ts TIMESTAMP", "label INTEGER", "asked DECIMAL(2,1)",
      "income DECIMAL(4,1)", "tier VARCHAR", "amount BIGINT", "rate DECIMAL(2,1)", "per_income DOUBLE",
    ]);
    const at = (lid: number) => out.find((r) => r.lid === lid)!;
    const pick = (lid: number) => [at(lid).income, at(lid).tier, at(lid).amount, at(lid).rate];
    expect(pick(0)).toEqual([null, null, 10, 0.5]); // before any profile row; the day-0 rows count (tie on time)
    expect([...pick(1), at(1).per_income]).toEqual([250, "gold", 10, 0.5, 5 / 250]); // tie on time: latest written wins
    expect(pick(11)).toEqual([250, "gold", 10, 0.5]); // an hour later, same rows
    expect(pick(2)).toEqual([250, "gold", 30, 0.1]); // the late spend row counts; the other entity's region
    expect(pick(3)).toEqual([null, null, 40, 0.7]); // the day-10 row's NULLs, not the older values
    expect(pick(4)).toEqual([null, null, 40, null]); // profile and region expired (4 and 10 days)
    expect([...pick(5), at(5).per_income]).toEqual([0, "new", 7, null, null]); // x / 0 is NULL; NULL region
    expect(pick(6)).toEqual([null, null, null, null]); // an entity with no rows
    expect(pick(7)).toEqual([null, null, null, 0.7]); // a NULL key never matches the NULL-key profile row
    expect(pick(8)).toEqual([null, null, null, null]); // a label without a time gets nothing
    expect(at(9).per_income).toBe(6 / 250);
    expect(pick(10)).toEqual([null, null, null, 0.1]); // entity 4's only row has no event time
    // A service of one entity gives the same answers for its views.
    const byCustomer = await join({ service: resolveService(fs, "by_customer"), labels: "labels", timestamp: "ts", views: ["profile", "spend"] });
    expect(byCustomer.map((r) => [r.income, r.tier, r.amount])).toEqual(out.map((r) => [r.income, r.tier, r.amount]));
  });

  it("breaks ties with a written time that is text (compared as text)", async () => {
    await duck.run(`CREATE TABLE p AS SELECT * FROM (VALUES (1, TIMESTAMP '2026-01-02', 'b', 1.0), (1, TIMESTAMP '2026-01-02', 'a', 2.0)) t(customer_id, ts, created, x)`);
    await duck.run(`CREATE TABLE labels AS SELECT 0 AS lid, 1 AS customer_id, TIMESTAMP '2026-01-03' AS ts`);
    const fs = store([{ name: "p", source: "silver.p", entity: "customer", timestamp: "ts", created_timestamp: "created", ttl: "4d", features: [{ name: "x", type: "number" }] }], [{ name: "svc", features: ["p"] }]);
    const out = await join({ service: resolveService(fs, "svc"), labels: "labels", timestamp: "ts", views: ["p"] });
    expect(out.map((r) => r.x)).toEqual([1]); // 'b' > 'a'
  });
});

interface Timeline {
  labels: { eid: number; t: number }[];
  rows: { eid: number; t: number; created: number | null }[];
}

/** Rows that may answer a label: those tied at the largest (time, written time) at or before it, within ttl. */
function brute(tl: Timeline, l: { eid: number; t: number }, ttl: number): Set<number> {
  let best: { t: number; c: number } | null = null;
  const c = (x: number | null) => (x === null ? -Infinity : x);
  for (const r of tl.rows) {
    if (r.eid !== l.eid || r.t > l.t) continue;
    if (!best || r.t > best.t || (r.t === best.t && c(r.created) > best.c)) best = { t: r.t, c: c(r.created) };
  }
  const ok = new Set<number>();
  if (!best || best.t < l.t - ttl) return ok;
  tl.rows.forEach((r, i) => r.eid === l.eid && r.t === best!.t && c(r.created) === best!.c && ok.add(i));
  return ok;
}

/** A random timeline joined by the SQL and by brute force: each label's row must be one brute force allows. */
async function check(seed: number, labels: number, rows: number, entities: number, spanMinutes: number, withCreated: boolean, sorted = false): Promise<number> {
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const tl: Timeline = {
    labels: Array.from({ length: labels }, () => ({ eid: int(entities), t: int(spanMinutes) })),
    rows: Array.from({ length: rows }, () => ({ eid: int(entities), t: int(spanMinutes), created: withCreated ? (rand() < 0.2 ? null : int(4)) : null })),
  };
  const minute = (t: number) => `TIMESTAMP '2026-01-01' + to_minutes(${t})`;
  await duck.run(`CREATE OR REPLACE TABLE labels AS SELECT * FROM (VALUES ${tl.labels.map((l, i) => `(${i}, ${l.eid}, ${minute(l.t)})`).join(", ")}) t(lid, customer_id, ts)`);
  // The row's index is its feature value: the answer names the row it came from.
  await duck.run(`CREATE OR REPLACE TABLE rows AS SELECT * FROM (VALUES ${tl.rows.map((r, i) => `(${r.eid}, ${minute(r.t)}, ${r.created ?? "NULL"}, ${i})`).join(", ")}) t(customer_id, ts, created, row_no)`);
  const ttlMinutes = Math.round(spanMinutes / 5);
  const fs = store(
    [{ name: "v", source: "silver.rows", entity: "customer", timestamp: "ts", ...(withCreated ? { created_timestamp: "created" } : {}), ttl: `${ttlMinutes}m`, features: [{ name: "row_no", type: "integer" }] }],
    [{ name: "svc", features: ["v"] }],
  );
  // Stored as the pipeline stores a view's source (sorted by its keys and time): the answers must not change.
  if (sorted) {
    const order = sourceOrderOf({ feature_store: fs }, "silver.rows")!;
    expect(order).toEqual(["customer_id", "ts"]);
    await duck.run(`CREATE OR REPLACE TABLE rows AS SELECT * FROM rows ORDER BY ${order.join(", ")}`);
  }
  const out = await join({ service: resolveService(fs, "svc"), labels: "labels", timestamp: "ts", views: ["rows"] });
  expect(out.length).toBe(labels);
  const wrong: string[] = [];
  let matched = 0;
  for (const r of out) {
    const l = tl.labels[Number(r.lid)];
    const ok = brute(tl, l, ttlMinutes);
    const got = r.row_no === null ? null : Number(r.row_no);
    if (got !== null) matched++;
    if (got === null ? ok.size > 0 : !ok.has(got)) wrong.push(`label ${String(r.lid)} (entity ${l.eid} at ${l.t}): got row ${got}, want one of [${[...ok].join(", ")}]`);
  }
  expect(wrong.slice(0, 5)).toEqual([]);
  return matched / labels;
}

describe("point-in-time SQL on random timelines, against brute force", () => {
  it("ties broken by the written time (NULL loses), TTL expiry, entities without rows or labels", async () => {
    const matched = [
      await check(1, 2000, 5000, 300, 1000, true), // many ties on time
      await check(2, 2000, 600, 300, 1e6, false), // sparse rows: many labels expire or precede every row
      await check(3, 3000, 200, 5, 50, true), // many labels per entity, few rows
      await check(4, 50, 3000, 2, 10_000, false), // many rows per label
      await check(1, 2000, 5000, 300, 1000, true, true), // as case 1, the rows stored sorted by (key, time)
      await check(2, 2000, 600, 300, 1e6, false, true),
    ];
    // Not trivial: each case matches some labels, and some cases leave labels unmatched.
    expect(matched.every((m) => m > 0)).toBe(true);
    expect(matched.map((m) => m < 0.9)).toEqual([false, true, false, false, false, true]);
    expect(matched.slice(4)).toEqual(matched.slice(0, 2));
  }, 60_000);
});
