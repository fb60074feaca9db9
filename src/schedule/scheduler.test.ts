import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../flow/clock.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, requireServices } from "../store/test-helpers/services.js";
import { dueTicks, schedulesOf, type ScheduleSpec } from "./due-ticks.js";
import { Scheduler, type ScheduledRun } from "./scheduler.js";

const pgReason = await postgresUnavailable();
if (pgReason && requireServices) throw new Error(`${pgReason}; CI must run the PostgreSQL scheduler tests`);
if (pgReason) console.warn(`skipping PostgreSQL scheduler tests: ${pgReason}`);

const HOUR = 3_600_000;
const sixHourly: ScheduleSpec = { pipeline: "default", cron: "0 */6 * * *", timezone: "UTC", catchup: false };
const schema = freshSchema("sched_test");
const opened: MetadataStore[] = [];

const sqliteUrl = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-sched-")), "meta.db");
async function open(url: string): Promise<MetadataStore> {
  const s = await openMetadataStore(url);
  opened.push(s);
  return s;
}

afterAll(async () => {
  for (const s of opened) await s.close();
  if (!pgReason) await dropSchema(schema);
});

/** A scheduler whose runs only record when they started (the store and the claims are real). */
function scheduler(meta: MetadataStore, clock: ManualClock, spec: ScheduleSpec, project = "churn", name = "a") {
  const started: { by: string; dueAt: string; at: string }[] = [];
  const s = new Scheduler({
    meta,
    project,
    schedules: [spec],
    clock,
    claimedBy: name,
    maxSleepMs: Number.POSITIVE_INFINITY,
    startRun: async (run: ScheduledRun) => {
      started.push({ by: name, dueAt: run.dueAt.toISOString(), at: clock.now().toISOString() });
      return { status: "succeeded" };
    },
  });
  return { s, started };
}

describe("due ticks", () => {
  it("reads the project's schedule, and a time zone", () => {
    expect(schedulesOf({ schedule: "0 */6 * * *", timezone: "UTC", catchup: false })).toEqual([sixHourly]);
    expect(schedulesOf({ schedule: undefined, timezone: "UTC", catchup: false })).toEqual([]);
    // 02:00 in Paris is 01:00 UTC in January.
    const paris = { ...sixHourly, cron: "0 2 * * *", timezone: "Europe/Paris" };
    expect(dueTicks(paris, null, new Date("2026-01-02T01:30:00Z")).due.map((d) => d.toISOString())).toEqual(["2026-01-02T01:00:00.000Z"]);
  });
});

describe("scheduler on SQLite", () => {
  it("fires a 6-hourly schedule 4 times over a simulated day, each at its due time", async () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const { s, started } = scheduler(await open(sqliteUrl()), clock, sixHourly);
    const stop = new AbortController();
    const loop = s.run(stop.signal);
    for (let h = 0; h < 24; h++) {
      await clock.untilPending(1);
      await clock.advance(h === 23 ? HOUR - 1 : HOUR); // ends at 23:59:59.999
    }
    await clock.untilPending(1);
    stop.abort();
    await loop;
    expect(started.map((x) => [x.dueAt.slice(11, 16), x.at.slice(11, 16)])).toEqual([
      ["00:00", "00:00"],
      ["06:00", "06:00"],
      ["12:00", "12:00"],
      ["18:00", "18:00"],
    ]);
  });

  it("after a gap, catch-up off runs only the latest missed tick; catch-up on runs each, oldest first", async () => {
    const meta = await open(sqliteUrl());
    for (const catchup of [false, true]) {
      const project = catchup ? "with_catchup" : "without_catchup";
      const clock = new ManualClock("2026-01-01T00:00:00Z");
      const first = scheduler(meta, clock, { ...sixHourly, catchup }, project, "before");
      expect((await first.s.fireDue()).map((t) => t.dueAt)).toEqual(["2026-01-01T00:00:00.000Z"]);
      // The scheduler was down from 01:00 to 19:30: 06:00, 12:00 and 18:00 were missed. A new one resumes from the store.
      clock.set("2026-01-01T19:30:00Z");
      const restarted = scheduler(meta, clock, { ...sixHourly, catchup }, project, "after");
      const fired = await restarted.s.fireDue();
      expect(fired.map((t) => t.dueAt.slice(11, 16))).toEqual(catchup ? ["06:00", "12:00", "18:00"] : ["18:00"]);
      expect(await restarted.s.fireDue()).toEqual([]); // nothing twice
      const ticks = await meta.listScheduleTicks(project);
      expect(ticks.map((t) => [t.dueAt.slice(11, 16), t.status, t.claimedBy])).toEqual(
        catchup
          ? [["18:00", "succeeded", "after"], ["12:00", "succeeded", "after"], ["06:00", "succeeded", "after"], ["00:00", "succeeded", "before"]]
          : [["18:00", "succeeded", "after"], ["00:00", "succeeded", "before"]],
      );
    }
  });

  it("records a run that throws as a failed tick and goes on", async () => {
    const meta = await open(sqliteUrl());
    const clock = new ManualClock("2026-01-01T06:00:00Z");
    const s = new Scheduler({ meta, project: "churn", schedules: [sixHourly], clock, startRun: async () => Promise.reject(new Error("project busy")) });
    expect(await s.fireDue()).toMatchObject([{ dueAt: "2026-01-01T06:00:00.000Z", status: "failed", error: "project busy" }]);
    expect((await meta.latestScheduleTick("churn", "default"))?.error).toBe("project busy");
    expect(s.nextDue()?.toISOString()).toBe("2026-01-01T12:00:00.000Z");
  });

  it("keeps looping when a pass fails (the store gone), reporting the error", async () => {
    const meta = await openMetadataStore(sqliteUrl());
    const clock = new ManualClock("2026-01-01T06:30:00Z");
    const errors: string[] = [];
    const s = new Scheduler({ meta, project: "churn", schedules: [sixHourly], clock, maxSleepMs: 60_000, startRun: async () => ({ status: "succeeded" }), onEvent: (e) => e.type === "error" && errors.push(e.error) });
    await meta.close();
    const stop = new AbortController();
    const loop = s.run(stop.signal);
    await clock.untilPending(1);
    await clock.advance(60_000);
    await clock.untilPending(1);
    stop.abort();
    await loop;
    expect(errors.length).toBe(2);
  });

  it("closes the tick of a killed scheduler with its run's outcome, and does not run that tick again", async () => {
    const meta = await open(sqliteUrl());
    const clock = new ManualClock("2026-01-01T06:00:00Z");
    // A scheduler claimed 06:00 and was killed; its run was later marked failed (its process gone).
    await meta.claimScheduleTick({ project: "churn", pipeline: "default", dueAt: "2026-01-01T06:00:00.000Z", runId: "killed-run", claimedBy: "dead", claimedAt: "2026-01-01T06:00:00.000Z" });
    const reason = "process 123 on h ended without finishing";
    await meta.savePipelineRun({ id: "killed-run", project: "churn", status: "failed", trigger: "schedule", startedAt: "2026-01-01T06:00:00.000Z", endedAt: "2026-01-01T06:10:00.000Z", summary: null, error: reason });
    clock.set("2026-01-01T07:00:00Z");
    const { s, started } = scheduler(meta, clock, sixHourly);
    expect(await s.fireDue()).toEqual([]);
    expect(started).toEqual([]);
    expect(await meta.latestScheduleTick("churn", "default")).toMatchObject({ status: "failed", error: reason, endedAt: "2026-01-01T06:10:00.000Z" });
  });
});

const adapters = [
  { name: "PostgreSQL", url: () => `${postgresUrl}?schema=${schema}`, skip: pgReason !== null },
  { name: "one SQLite file", url: (() => { const u = sqliteUrl(); return () => u; })(), skip: false },
];

describe.each(adapters)("two schedulers on $name", ({ url, skip }) => {
  it.skipIf(skip)("start each tick once over a simulated day, catch-up on after a gap included", async () => {
    // Two processes' worth of store: each scheduler has its own connection (pool) to the same database.
    const [metaA, metaB] = [await open(url()), await open(url())];
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const spec = { ...sixHourly, catchup: true };
    const a = scheduler(metaA, clock, spec, "race", "a");
    const b = scheduler(metaB, clock, spec, "race", "b");
    for (let h = 0; h < 24; h++) {
      if (h >= 1 && h <= 13) continue; // both down from 01:00 to 13:59: 06:00 and 12:00 are caught up at 14:00
      clock.set(new Date(Date.UTC(2026, 0, 1, h)));
      await Promise.all([a.s.fireDue(), b.s.fireDue()]);
    }
    const starts = [...a.started, ...b.started].map((x) => x.dueAt.slice(11, 16)).sort();
    expect(starts).toEqual(["00:00", "06:00", "12:00", "18:00"]);
    const ticks = await metaA.listScheduleTicks("race");
    expect(ticks).toHaveLength(4);
    expect(ticks.every((t) => t.status === "succeeded")).toBe(true);
  });
});
