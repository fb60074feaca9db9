// The typed merge (pit-join.ts) against the reference ASOF JOIN (pit-sql.ts): same columns, same types, same rows, on
// hand-made timelines and on a random 100k-label case.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Duck } from "../lake/duck.js";
import { featureStoreSchema } from "../project/config-features.js";
import { resolveService } from "./definitions.js";
import { pointInTimeJoin } from "./pit-join.js";
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

/** Both joins into tables; returns the merge's rows, after checking they equal the reference's. */
async function bothAgree(inputs: PointInTimeInputs): Promise<Record<string, unknown>[]> {
  await duck.run(`CREATE OR REPLACE TABLE ref AS ${pointInTimeSql(inputs)}`);
  const rows = await pointInTimeJoin(duck, inputs, (s) => `CREATE OR REPLACE TABLE ours AS ${s}`);
  const [{ n }] = await duck.rows(`SELECT count(*) AS n FROM ref`);
  expect(rows).toBe(Number(n));
  expect(await duck.rows(`DESCRIBE ours`)).toEqual(await duck.rows(`DESCRIBE ref`));
  const missing = await duck.rows(`SELECT * FROM (SELECT * FROM ref EXCEPT ALL SELECT * FROM ours) LIMIT 5`);
  const extra = await duck.rows(`SELECT * FROM (SELECT * FROM ours EXCEPT ALL SELECT * FROM ref) LIMIT 5`);
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  // No work table is left behind.
  expect(await duck.rows(`SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '__pit_%'`)).toEqual([]);
  return duck.rows(`SELECT * FROM ours ORDER BY lid`);
}

describe("point-in-time merge vs the ASOF JOIN reference", () => {
  it("agrees on hand-made timelines: ties, TTL expiry, late rows, missing entities, NULL keys and times, strings, two entities", async () => {
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
        { name: "by_customer", features: ["profile", "spend"] }, // integer keys only: entity ids made in JS
      ],
      [{ name: "per_income", expression: "asked / income" }],
    );
    const out = await bothAgree({ service: resolveService(fs, "svc"), labels: "labels", timestamp: "ts", views: ["profile", "spend", "regions"] });
    const byCustomer = await bothAgree({ service: resolveService(fs, "by_customer"), labels: "labels", timestamp: "ts", views: ["profile", "spend"] });
    expect(byCustomer.map((r) => [r.income, r.amount])).toEqual(out.map((r) => [r.income, r.amount]));
    const at = (lid: number) => out.find((r) => r.lid === lid)!;
    expect([at(0).income, at(0).amount, at(0).rate]).toEqual([null, 10, 0.5]); // before any profile row
    expect([at(1).income, at(1).tier, at(1).per_income]).toEqual([250, "gold", 5 / 250]); // tie on time: latest written
    expect([at(2).income, at(2).amount, at(2).rate]).toEqual([250, 30, 0.1]); // the late spend row counts
    expect([at(3).income, at(3).tier, at(3).amount]).toEqual([null, null, 40]); // the day-10 row's NULLs
    expect([at(4).income, at(4).rate]).toEqual([null, null]); // both expired
    expect([at(5).income, at(5).per_income, at(5).rate]).toEqual([0, null, null]); // x / 0 is NULL; NULL region
    expect([at(6).income, at(6).amount, at(7).income, at(8).income, at(10).income]).toEqual([null, null, null, null, null]);
  });

  it("agrees on a random case of 100,000 labels and three views (one with ties broken by a written time)", async () => {
    const labels = 100_000;
    const h = (i: string, salt: number) => `hash(${i}, ${salt})`;
    await duck.run(`CREATE TABLE labels AS SELECT range AS lid, CAST(${h("range", 1)} % 5000 AS INTEGER) AS customer_id,
      TIMESTAMP '2026-01-01' + to_minutes(CAST(${h("range", 2)} % 500000 AS BIGINT)) AS ts, range % 2 AS label FROM range(${labels})`);
    // Distinct (key, time) rows, then copies of some with other written times and values: ties the written time breaks.
    for (const [v, rows] of [[0, 120_000], [1, 60_000], [2, 90_000]] as const) {
      await duck.run(`CREATE TABLE base${v} AS SELECT DISTINCT ON (customer_id, ts) * FROM (SELECT CAST(${h("range", 10 + v)} % 6000 AS INTEGER) AS customer_id,
        TIMESTAMP '2026-01-01' + to_minutes(CAST(${h("range", 20 + v)} % 500000 AS BIGINT)) AS ts, range AS created,
        CAST(${h("range", 30 + v)} % 1000 AS DOUBLE) / 8 AS f${v}, CASE WHEN range % 11 = 0 THEN NULL ELSE CAST(range % 97 AS BIGINT) END AS g${v},
        'c' || CAST(range % 13 AS VARCHAR) AS s${v} FROM range(${rows}))`);
    }
    await duck.run(`CREATE TABLE view0 AS SELECT * FROM base0 UNION ALL SELECT customer_id, ts, created + 1000000, f0 + 1, g0, 'tie' FROM base0 WHERE created % 7 = 0`);
    const fs = store(
      [0, 1, 2].map((v) => ({
        name: `v${v}`, source: `silver.v${v}`, entity: "customer", timestamp: "ts", ttl: `${[20, 30, 90][v]}d`,
        ...(v === 0 ? { created_timestamp: "created" } : {}),
        features: [{ name: `f${v}`, type: "number" }, { name: `g${v}`, type: "integer" }, ...(v === 2 ? [] : [{ name: `s${v}`, type: "string" }])],
      })),
      [{ name: "svc", features: ["v0", "v1", "v2", "ratio"] }],
      [{ name: "ratio", expression: "f0 / (g1 + 1)" }],
    );
    const out = await bothAgree({ service: resolveService(fs, "svc"), labels: "labels", timestamp: "ts", views: ["view0", "base1", "base2"] });
    expect(out.length).toBe(labels);
    // The same rows with text keys, from SQL relations (key tables in DuckDB; the labels copied to keep their order).
    const text = (t: string) => `(SELECT * REPLACE (CAST(customer_id AS VARCHAR) AS customer_id) FROM ${t})`;
    const asText = await bothAgree({ service: resolveService(fs, "svc"), labels: text("labels"), timestamp: "ts", views: ["view0", "base1", "base2"].map(text) });
    expect(asText.map((r) => ({ ...r, customer_id: Number(r.customer_id) }))).toEqual(out);
    // The case is not trivial: most labels get a row, some do not, and some ties went to the later-written copy.
    const got = out.filter((r) => r.f0 !== null).length;
    expect(got).toBeGreaterThan(labels / 4);
    expect(got).toBeLessThan(labels);
    expect(out.some((r) => r.s0 === "tie")).toBe(true);
  }, 120_000); // four joins of 100k labels: 17 s at load 15

  it("takes the SQL path when a written time is neither a number nor a time, with the same answer", async () => {
    await duck.run(`CREATE TABLE p AS SELECT * FROM (VALUES (1, TIMESTAMP '2026-01-02', 'b', 1.0), (1, TIMESTAMP '2026-01-02', 'a', 2.0)) t(customer_id, ts, created, x)`);
    await duck.run(`CREATE TABLE labels AS SELECT 0 AS lid, 1 AS customer_id, TIMESTAMP '2026-01-03' AS ts`);
    const fs = store([{ name: "p", source: "silver.p", entity: "customer", timestamp: "ts", created_timestamp: "created", ttl: "4d", features: [{ name: "x", type: "number" }] }], [{ name: "svc", features: ["p"] }]);
    const out = await bothAgree({ service: resolveService(fs, "svc"), labels: "labels", timestamp: "ts", views: ["p"] });
    expect(out[0].x).toBe(1); // 'b' > 'a'
  });
});
