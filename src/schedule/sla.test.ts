// SLA misses on simulated time: a 2-hour SLA on a 6-hourly pipeline and a 09:00 deadline on another, raised by
// the scheduler through the sla_missed alert rule to a real webhook, once (a second scheduler on the same
// SQLite store finds the miss claimed), and not for a run that succeeded in time.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../flow/clock.js";
import { pipelinesOf } from "../flow/pipelines.js";
import type { PipelineAlertRule } from "../project/config-pipelines.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { orchestrationOf } from "../store/orchestration.js";
import { schedulesOf } from "./due-ticks.js";
import { slaOptions } from "./project-scheduler.js";
import { Scheduler, type SchedulerEvent } from "./scheduler.js";
import { slaMisses } from "./sla.js";

const posted: any[] = [];
const receiver = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    posted.push(JSON.parse(body).alert);
    res.end("ok");
  });
});
let meta: MetadataStore;
let hook = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  meta = await openMetadataStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-sla-")), "meta.db"));
});
afterAll(async () => {
  receiver.close();
  await meta.close();
});

const MIN = 60_000;

describe("SLA misses", () => {
  it("a late run and a missed deadline alert once each, on the injected clock; runs in time do not", async () => {
    const cfg = {
      name: "churn",
      schedule: undefined, timezone: "UTC", catchup: false,
      pipelines: {
        data: { tasks: ["ingest"], schedule: "0 */6 * * *", sla: 2 * 60 * MIN, max_active_runs: 1 },
        training: { tasks: ["train"], sla: { deadline: "0 9 * * *" }, max_active_runs: 1 },
      },
      pipeline_alerts: [{ name: "late", on: "sla_missed", actions: ["webhook"], webhook: "" } as PipelineAlertRule],
    };
    cfg.pipeline_alerts[0].webhook = hook;
    const pipelines = pipelinesOf(cfg as never);
    const clock = new ManualClock(new Date("2026-03-01T00:00:00Z"));
    const orchestration = orchestrationOf(meta);
    /** The data pipeline's run of a tick: the 00:00 one succeeds in 30 min, the 06:00 one hangs. */
    const record = async (id: string, pipeline: string, startedAt: Date, end: { status: "succeeded" | "running"; at?: Date }) => {
      await meta.savePipelineRun({ id, project: "churn", status: end.status, startedAt: startedAt.toISOString(), endedAt: end.at?.toISOString() ?? null, summary: null });
      await orchestration.placeRun(id, pipeline, null);
    };
    const events: SchedulerEvent[] = [];
    const make = (name: string) =>
      new Scheduler({
        meta, project: "churn", schedules: schedulesOf(cfg as never), clock, claimedBy: name, maxSleepMs: Number.POSITIVE_INFINITY,
        onEvent: (e) => events.push(e),
        startRun: async (run) => {
          const hour = run.dueAt.getUTCHours();
          await record(run.runId, run.pipeline, run.dueAt, hour === 0 ? { status: "succeeded", at: new Date(run.dueAt.getTime() + 30 * MIN) } : { status: "running" });
          return { status: hour === 0 ? "succeeded" : "failed" };
        },
        ...slaOptions(meta, cfg as never, pipelines),
      });
    const a = make("a");
    const b = make("b");

    await a.fireDue(); // 00:00 tick: succeeds at 00:30
    // Training never succeeded: yesterday's 09:00 deadline is already missed when the scheduler first looks.
    expect(posted.map((x) => [x.pipeline, x.subject])).toEqual([["training", "2026-02-28T09:00:00.000Z"]]);
    clock.set(new Date("2026-03-01T06:00:00Z"));
    await a.fireDue(); // 06:00 tick: its run hangs
    clock.set(new Date("2026-03-01T07:59:59Z"));
    expect((await a.checkSlas()).filter((m) => m.pipeline === "data")).toEqual([]);

    clock.set(new Date("2026-03-01T08:00:00Z"));
    const late = await a.checkSlas();
    expect(late.map((m) => [m.pipeline, m.kind, m.deadline])).toEqual([["data", "duration", "2026-03-01T08:00:00.000Z"]]);
    expect(late[0].message).toContain("is still running");
    // Claimed: neither this scheduler again nor a second one on the same store raises it twice.
    expect(await a.checkSlas()).toEqual([]);
    expect(await b.checkSlas()).toEqual([]);

    clock.set(new Date("2026-03-01T09:00:00Z"));
    const deadline = await b.checkSlas();
    expect(deadline.map((m) => [m.pipeline, m.kind, m.since, m.deadline])).toEqual([["training", "deadline", "2026-02-28T09:00:00.000Z", "2026-03-01T09:00:00.000Z"]]);
    expect(await a.checkSlas()).toEqual([]);

    // Training succeeds at 10:00: the next day's deadline is met.
    await record("training-1", "training", new Date("2026-03-01T09:40:00Z"), { status: "succeeded", at: new Date("2026-03-01T10:00:00Z") });
    clock.set(new Date("2026-03-02T09:00:00Z"));
    const nextDay = await a.checkSlas();
    expect(nextDay.filter((m) => m.pipeline === "training")).toEqual([]);

    // Each miss reached the webhook once, as an sla_missed alert of the rule.
    expect(posted.map((x) => [x.rule, x.kind, x.pipeline])).toEqual([["late", "sla_missed", "training"], ["late", "sla_missed", "data"], ["late", "sla_missed", "training"]]);
    expect(posted[1].runId).toBe(late[0].runId);
    expect(events.filter((e) => e.type === "sla_missed")).toHaveLength(3);
  });

  it("a run that succeeds after its deadline is a miss; a retry that succeeds in time covers a failed run", () => {
    const spec = { pipeline: "p", sla: 60 * MIN, timezone: "UTC" };
    const now = new Date("2026-03-01T03:00:00Z");
    const slow = [{ id: "r1", status: "succeeded" as const, startedAt: "2026-03-01T00:00:00Z", endedAt: "2026-03-01T01:30:00Z" }];
    expect(slaMisses(spec, slow, now).map((m) => m.message)).toEqual([expect.stringContaining("succeeded late")]);
    const retried = [
      { id: "r1", status: "failed" as const, startedAt: "2026-03-01T00:00:00Z", endedAt: "2026-03-01T00:10:00Z" },
      { id: "r2", status: "succeeded" as const, startedAt: "2026-03-01T00:15:00Z", endedAt: "2026-03-01T00:50:00Z" },
    ];
    expect(slaMisses(spec, retried, now)).toEqual([]);
  });
});
