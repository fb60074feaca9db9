// The scheduler: fires the due ticks of each schedule, keeping nothing in memory that a restart would lose. Every
// tick is a row in the metadata store, inserted (claimed) before its run starts; a second scheduler on the same
// store finds the row taken and moves on, and a restarted one picks up after the latest claimed tick.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { describeError } from "../errors.js";
import { systemClock, type Clock } from "../flow/clock.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { dueTicks, nextTick, type ScheduleSpec } from "./due-ticks.js";

export interface ScheduledRun {
  pipeline: string;
  dueAt: Date;
  /** The pipeline run's id, recorded on the tick before the run starts. */
  runId: string;
}

export interface RunOutcome {
  status: "succeeded" | "failed";
  error?: string;
}

export interface FiredTick {
  pipeline: string;
  dueAt: string;
  runId: string;
  status: "succeeded" | "failed";
  error?: string;
}

export type SchedulerEvent =
  | { type: "start"; pipeline: string; dueAt: string; runId: string }
  | { type: "end"; pipeline: string; dueAt: string; runId: string; status: "succeeded" | "failed"; error?: string }
  /** Another scheduler claimed this tick first. */
  | { type: "taken"; pipeline: string; dueAt: string }
  /** Missed ticks not run because catchup is off. */
  | { type: "passed_over"; pipeline: string; count: number; firing: string }
  /** A pass failed (the metadata store unreachable, say); the loop tries again after its next sleep. */
  | { type: "error"; error: string };

export interface SchedulerOptions {
  meta: MetadataStore;
  project: string;
  schedules: ScheduleSpec[];
  /** Runs the pipeline of a claimed tick (trigger "schedule", with the given run id); resolves when it ends. */
  startRun(run: ScheduledRun): Promise<RunOutcome>;
  clock?: Clock;
  /** Who claims ticks, kept on each tick (default pid@host). */
  claimedBy?: string;
  /** Longest sleep between looks (default 60 s), so a suspended machine or a changed clock is noticed. */
  maxSleepMs?: number;
  onEvent?(e: SchedulerEvent): void;
}

export class Scheduler {
  private readonly clock: Clock;
  private readonly claimedBy: string;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.claimedBy = opts.claimedBy ?? `${process.pid}@${os.hostname()}`;
  }

  /** Fires every tick due now (each claimed first, then run to its end, one at a time) and returns them. */
  async fireDue(): Promise<FiredTick[]> {
    const fired: FiredTick[] = [];
    const emit = this.opts.onEvent ?? (() => undefined);
    await this.closeFinishedTicks();
    for (const spec of this.opts.schedules) {
      const last = await this.opts.meta.latestScheduleTick(this.opts.project, spec.pipeline);
      const { due, passedOver } = dueTicks(spec, last ? new Date(last.dueAt) : null, this.clock.now());
      if (passedOver > 0 && due.length) emit({ type: "passed_over", pipeline: spec.pipeline, count: passedOver, firing: due[0].toISOString() });
      for (const dueAt of due) {
        const tick = { project: this.opts.project, pipeline: spec.pipeline, dueAt: dueAt.toISOString(), runId: randomUUID() };
        const claimed = await this.opts.meta.claimScheduleTick({ ...tick, claimedBy: this.claimedBy, claimedAt: this.clock.now().toISOString() });
        if (!claimed) {
          emit({ type: "taken", pipeline: spec.pipeline, dueAt: tick.dueAt });
          continue;
        }
        emit({ type: "start", pipeline: spec.pipeline, dueAt: tick.dueAt, runId: tick.runId });
        let outcome: RunOutcome;
        try {
          outcome = await this.opts.startRun({ pipeline: spec.pipeline, dueAt, runId: tick.runId });
        } catch (e) {
          outcome = { status: "failed", error: describeError(e) };
        }
        await this.opts.meta.finishScheduleTick(tick, { ...outcome, endedAt: this.clock.now().toISOString() });
        const done: FiredTick = { pipeline: spec.pipeline, dueAt: tick.dueAt, runId: tick.runId, status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) };
        emit({ type: "end", ...done });
        fired.push(done);
      }
    }
    return fired;
  }

  /**
   * Ticks still "running" whose pipeline run has ended — their scheduler was killed while the run went on, or the
   * run was marked failed once its killed process was found — take the run's outcome. A killed tick is not run again.
   */
  private async closeFinishedTicks(): Promise<void> {
    const open = (await this.opts.meta.listScheduleTicks(this.opts.project, undefined, 20)).filter((t) => t.status === "running");
    for (const tick of open) {
      const run = await this.opts.meta.getPipelineRun(tick.runId);
      if (!run || run.status === "running") continue;
      await this.opts.meta.finishScheduleTick(tick, { status: run.status, endedAt: run.endedAt ?? this.clock.now().toISOString(), ...(run.error ? { error: run.error } : {}) });
    }
  }

  /** The next due time over all schedules after now, or null when none will come again. */
  nextDue(): Date | null {
    const now = this.clock.now();
    const next = this.opts.schedules.map((s) => nextTick(s, now)).filter((d): d is Date => d !== null);
    return next.length ? new Date(Math.min(...next.map((d) => d.getTime()))) : null;
  }

  /** Fires what is due, sleeps until the next due time, and again, until `signal` aborts (a run in progress ends first). */
  async run(signal: AbortSignal): Promise<void> {
    const maxSleepMs = this.opts.maxSleepMs ?? 60_000;
    while (!signal.aborted) {
      try {
        await this.fireDue();
      } catch (e) {
        this.opts.onEvent?.({ type: "error", error: describeError(e) });
      }
      const next = this.nextDue();
      const wait = next ? Math.min(next.getTime() - this.clock.now().getTime(), maxSleepMs) : maxSleepMs;
      try {
        await this.clock.sleep(Math.max(0, wait), signal);
      } catch {
        break;
      }
    }
  }
}
