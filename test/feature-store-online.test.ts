// Materialization into each online store that runs here (SQLite, Redis, PostgreSQL): the latest row per key within the
// TTL, incremental runs that write only changed keys and remove deleted ones, expiry, and rows kept across a restart.
import { afterAll, describe, expect, it } from "vitest";
import { materializeViews } from "../src/featurestore/materialize.js";
import type { OnlineStore } from "../src/featurestore/online/online-store.js";
import { openOnlineStore } from "../src/featurestore/online/online-stores.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, redisUnavailable, redisUrl, serviceGate } from "../src/store/test-helpers/services.js";
import { DAY, T0, setup, values, type Row } from "./feature-store-fixture.js";

const profile: Row[] = [
  { id: 1, day: 1, value: 100 },
  { id: 1, day: 10, value: 300 },
  { id: 2, day: 2, value: 50 }, // 10 days old at day 12: past the 4-day TTL
  { id: 2, day: 30, value: 999 }, // in the future at day 12
  { id: 3, day: 11, value: 70 },
];
const spend: Row[] = [{ id: 1, day: 9, value: 40 }, { id: 2, day: 3, value: 7 }];

const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas) await dropSchema(s).catch(() => undefined);
});

const kinds: { name: string; location: () => Promise<string | null> }[] = [
  { name: "sqlite", location: async () => "online.db" },
  {
    name: "redis",
    location: async () => ((await serviceGate(await redisUnavailable())) ? redisUrl : null),
  },
  {
    name: "postgres",
    location: async () => {
      if (!(await serviceGate(await postgresUnavailable()))) return null;
      const schema = freshSchema("fs_online");
      schemas.push(schema);
      return `${postgresUrl}?schema=${schema}`;
    },
  },
];

describe.each(kinds)("online store: $name", ({ location }) => {
  it("materializes the latest row per key within the TTL, then only what changed, and keeps it across a restart", async () => {
    const loc = await location();
    if (loc === null) return;
    const { lake, project, dir } = await setup(profile, spend, [{ id: 1, day: 12, label: 1 }]);
    const name = `fs_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const open = () => openOnlineStore(loc, { project: name, dir });
    let store: OnlineStore = await open();
    try {
      const now = T0 + 12 * DAY;
      const first = await materializeViews(lake, project, store, { now });
      expect(first.map((r) => [r.view, r.mode, r.written, r.rows])).toEqual([["profile", "full", 2, 2], ["spend", "full", 2, 2]]);
      expect(first[0].newestTs).toBe(T0 + 11 * DAY);
      const got = await store.get("profile", ["1", "2", "3", "9"]);
      expect(got.map((r) => r && [r.key, r.ts, r.values.income])).toEqual([["1", T0 + 10 * DAY, 300], null, ["3", T0 + 11 * DAY, 70], null]);

      // Unchanged table: nothing written.
      expect((await materializeViews(lake, project, store, { now, view: "profile" }))[0]).toMatchObject({ mode: "unchanged", written: 0, removed: 0 });

      // A new version changing one key, adding one and dropping one: only those are touched.
      const next: Row[] = [...profile.filter((r) => r.id !== 3), { id: 1, day: 11.5, value: 310 }, { id: 4, day: 11, value: 5 }];
      await lake.materialize("silver.profile", `SELECT * FROM (VALUES ${values(next, true)}) t(customer_id, ts, income, created)`, { parents: [] });
      const inc = (await materializeViews(lake, project, store, { now, view: "profile" }))[0];
      expect(inc).toMatchObject({ mode: "incremental", written: 2, removed: 1, rows: 2, version: 2 });
      expect((await store.get("profile", ["1", "3", "4"])).map((r) => r?.values.income ?? null)).toEqual([310, null, 5]);

      // Four days on, customer 4's day-11 row is past the TTL and is expired; customer 1's day-11.5 row too at day 16.
      const later = (await materializeViews(lake, project, store, { now: T0 + 15.2 * DAY, view: "profile" }))[0];
      expect(later).toMatchObject({ expired: 1, rows: 1 });
      expect(await store.count("profile")).toBe(1);

      // A restart (a new connection, or a new process for SQLite) sees the same rows and state.
      await store.close();
      store = await open();
      expect((await store.get("profile", ["1"]))[0]).toEqual({ key: "1", ts: T0 + 11.5 * DAY, values: { income: 310 } });
      expect(await store.state("profile")).toMatchObject({ table: "silver.profile", version: 2, rows: 1 });
    } finally {
      for (const v of ["profile", "spend"]) await store.remove(v, await store.keys(v));
      await store.close();
    }
  });
});
