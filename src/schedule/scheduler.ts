// The scheduler: fires the due ticks of each schedule, keeping nothing in memory that a restart would lose. Every
// tick is a row in the metadata store, inserted (claimed) before its run starts; a second scheduler on the same
// store finds the row taken and moves on, and a restarted one picks up after the latest claimed tick.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { describeError } from "../errors.js";
import { systemClock, type Clock } from "../flow/clock.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { dueTicks, nextTick, type ScheduleSpec } from "./due-ticks.js";
import { nextSlaCheck, slaMisses, type SlaMiss, type SlaRun, type SlaSpec } from "./sla.js";

export interface ScheduledRun {
  pipeline: string;
  dueAt: Date;
  /** The pipeline run's id, recorded on the tick before the run starts. */
  runId: string;
  /** schedule (a cron tick) or asset (a new version of an asset the pipeline watches). */
  trigger: "schedule" | "asset";
  /** The asset versions that started an asset-triggered run. */
  assets?: { asset: string; version: string }[];
}

/** A pipeline that runs when any of its assets gets a new version (Airflow datasets, Dagster asset sensors). */
export interface AssetTrigger {
  pipeline: string;
  assets: string[];
}

/** Claims of asset versions, one per (pipeline, asset, version): where "once per upstream version" is kept. */
export interface AssetClaims {
  claimAsset(c: { project: string; pipeline: string; asset: string; version: string; runId: string }): Promise<boolean>;
}

export interface RunOutcome {
  status: "succeeded" | "failed";
  error?: string;
}

export interface FiredTick {
  pipeline: string;
  dueAt: string;
  runId: string;
  trigger: "schedule" | "asset";
  status: "succeeded" | "failed";
  error?: string;
}

export type SchedulerEvent =
  | { type: "start"; pipeline: string; dueAt: string; runId: string; trigger: "schedule" | "asset"; assets?: { asset: string; version: string }[] }
  /** A pipeline at its max_active_runs or without a pool slot: its due tick waits for a later pass. */
  | { type: "waiting"; pipeline: string; reason: string }
  | { type: "end"; pipeline: string; dueAt: string; runId: string; status: "succeeded" | "failed"; error?: string }
  /** Another scheduler claimed this tick first. */
  | { type: "taken"; pipeline: string; dueAt: string }
  /** Missed ticks not run because catchup is off. */
  | { type: "passed_over"; pipeline: string; count: number; firing: string }
  /** A pipeline had not succeeded by its SLA (claimed in the store, so reported once). */
  | { type: "sla_missed"; pipeline: string; deadline: string; runId?: string; message: string }
  /** A pass failed (the metadata store unreachable, say); the loop tries again after its next sleep. */
  | { type: "error"; error: string };

export interface SchedulerOptions {
  meta: MetadataStore;
  project: string;
  schedules: ScheduleSpec[];
  /** Runs the pipeline of a claimed tick or asset version (with the given run id); resolves when it ends. */
  startRun(run: ScheduledRun): Promise<RunOutcome>;
  /** Pipelines started by new asset versions; needs `assetVersion` and `assetClaims`. */
  assetTriggers?: AssetTrigger[];
  /** The current version of an asset (a table's version number, a model alias's version), null when it has none. */
  assetVersion?(asset: string): Promise<string | null>;
  assetClaims?: AssetClaims;
  /** Why a pipeline cannot start a run now (max_active_runs, pool), or null when it can; its tick is then left for later. */
  busy?(pipeline: string): Promise<string | null>;
  clock?: Clock;
  /** Who claims ticks, kept on each tick (default pid@host). */
  claimedBy?: string;
  /** Longest sleep between looks (default 60 s), so a suspended machine or a changed clock is noticed. */
  maxSleepMs?: number;
  onEvent?(e: SchedulerEvent): void;
  /** SLAs of pipelines, looked at each pass and at their deadlines; needs `slaRuns` and `claimSla`. */
  slas?: SlaSpec[];
  /** A pipeline's recent runs, with the due time of those a schedule tick started. */
  slaRuns?(pipeline: string): Promise<SlaRun[]>;
  /** Claims a miss in the store; false when it was already claimed (reported before, or by another scheduler). */
  claimSla?(miss: SlaMiss): Promise<boolean>;
  /** Sends a claimed miss to the alert sinks. */
  onSlaMissed?(miss: SlaMiss): Promise<void>;
}

export class Scheduler {
  private readonly clock: Clock;
  private readonly claimedBy: string;
  /** When an SLA should next be looked at (derived from the store at each look; nothing to lose on a restart). */
  private nextSla: Date | null = null;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.claimedBy = opts.claimedBy ?? `${process.pid}@${os.hostname()}`;
  }

  /**
   * Fires every tick due now (each claimed first, then run to its end, one at a time), then every pipeline whose
   * watched assets got a new version, and again while a run made a new version (the cascade); returns them all.
   */
  async fireDue(): Promise<FiredTick[]> {
    const fired: FiredTick[] = [];
    await this.closeFinishedTicks();
    await this.checkSlas();
    for (const spec of this.opts.schedules) {
      if (await this.waiting(spec.pipeline)) continue;
      const last = await this.opts.meta.latestScheduleTick(this.opts.project, spec.pipeline);
      const { due, passedOver } = dueTicks(spec, last ? new Date(last.dueAt) : null, this.clock.now());
      if (passedOver > 0 && due.length) this.emit({ type: "passed_over", pipeline: spec.pipeline, count: passedOver, firing: due[0].toISOString() });
      for (const dueAt of due) {
        const tick = { project: this.opts.project, pipeline: spec.pipeline, dueAt: dueAt.toISOString(), runId: randomUUID() };
        const claimed = await this.opts.meta.claimScheduleTick({ ...tick, claimedBy: this.claimedBy, claimedAt: this.clock.now().toISOString() });
        if (!claimed) {
          this.emit({ type: "taken", pipeline: spec.pipeline, dueAt: tick.dueAt });
          continue;
        }
        const done = await this.start({ pipeline: spec.pipeline, dueAt, runId: tick.runId, trigger: "schedule" });
        await this.opts.meta.finishScheduleTick(tick, { status: done.status, endedAt: this.clock.now().toISOString(), ...(done.error ? { error: done.error } : {}) });
        fired.push(done);
      }
    }
    // A run may make a version another pipeline watches: look again until nothing new fires (bounded).
    for (let round = 0; round < 10; round++) {
      const more = await this.fireAssetTriggers();
      fired.push(...more);
      if (more.length === 0) break;
    }
    return fired;
  }

  private emit(e: SchedulerEvent): void {
    this.opts.onEvent?.(e);
  }

  private async waiting(pipeline: string): Promise<boolean> {
    const reason = (await this.opts.busy?.(pipeline)) ?? null;
    if (reason) this.emit({ type: "waiting", pipeline, reason });
    return reason !== null;
  }

  private async start(run: ScheduledRun): Promise<FiredTick> {
    this.emit({ type: "start", pipeline: run.pipeline, dueAt: run.dueAt.toISOString(), runId: run.runId, trigger: run.trigger, ...(run.assets ? { assets: run.assets } : {}) });
    let outcome: RunOutcome;
    try {
      outcome = await this.opts.startRun(run);
    } catch (e) {
      outcome = { status: "failed", error: describeError(e) };
    }
    const done: FiredTick = {
      pipeline: run.pipeline, dueAt: run.dueAt.toISOString(), runId: run.runId, trigger: run.trigger, status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}),
    };
    this.emit({ type: "end", ...done });
    return done;
  }

  /** One run per pipeline whose assets have versions it has not claimed; the claims are what makes it once. */
  private async fireAssetTriggers(): Promise<FiredTick[]> {
    const { assetTriggers = [], assetVersion, assetClaims } = this.opts;
    if (!assetTriggers.length || !assetVersion || !assetClaims) return [];
    const fired: FiredTick[] = [];
    for (const trigger of assetTriggers) {
      if (await this.waiting(trigger.pipeline)) continue;
      const runId = randomUUID();
      const claimed: { asset: string; version: string }[] = [];
      for (const asset of trigger.assets) {
        const version = await assetVersion(asset);
        if (version === null) continue;
        // Claimed before the run (as ticks are): a run killed midway is not started again for the same version.
        if (await assetClaims.claimAsset({ project: this.opts.project, pipeline: trigger.pipeline, asset, version, runId })) claimed.push({ asset, version });
      }
      if (claimed.length === 0) continue;
      fired.push(await this.start({ pipeline: trigger.pipeline, dueAt: this.clock.now(), runId, trigger: "asset", assets: claimed }));
    }
    return fired;
  }

  /**
   * Ticks still "running" whose pipeline run has ended — their scheduler was killed while the run went on, or the
   * run was marked failed once its killed process was found — take the run's outcome. A killed tick is not run again.
   */
  private async closeFinishedTicks(): Promise<void> {
    // A run whose process was killed (this scheduler, kill -9) is marked failed first, so its tick can close.
    await this.opts.meta.reapStaleRuns();
    const open = (await this.opts.meta.listScheduleTicks(this.opts.project, undefined, 20)).filter((t) => t.status === "running");
    for (const tick of open) {
      const run = await this.opts.meta.getPipelineRun(tick.runId);
      if (!run || run.status === "running") continue;
      // A tick knows succeeded and failed: a cancelled run's tick is failed with the error "cancelled".
      const error = run.error ?? (run.status === "cancelled" ? "cancelled" : null);
      const status = run.status === "succeeded" ? "succeeded" : "failed";
      await this.opts.meta.finishScheduleTick(tick, { status, endedAt: run.endedAt ?? this.clock.now().toISOString(), ...(error ? { error } : {}) });
    }
  }

  /** Raises every SLA miss not claimed yet (each claimed first, then sent); returns those raised by this call. */
  async checkSlas(): Promise<SlaMiss[]> {
    const { slas = [], slaRuns, claimSla } = this.opts;
    if (!slas.length || !slaRuns || !claimSla) return [];
    const now = this.clock.now();
    const raised: SlaMiss[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const spec of slas) {
      const runs = await slaRuns(spec.pipeline);
      for (const miss of slaMisses(spec, runs, now)) {
        if (!(await claimSla(miss))) continue;
        this.emit({ type: "sla_missed", pipeline: miss.pipeline, deadline: miss.deadline, ...(miss.runId ? { runId: miss.runId } : {}), message: miss.message });
        try {
          await this.opts.onSlaMissed?.(miss);
        } catch (e) {
          this.emit({ type: "error", error: `sla alert of ${miss.pipeline}: ${describeError(e)}` });
        }
        raised.push(miss);
      }
      next = Math.min(next, nextSlaCheck(spec, runs, now)?.getTime() ?? Number.POSITIVE_INFINITY);
    }
    this.nextSla = Number.isFinite(next) ? new Date(next) : null;
    return raised;
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
    // SLAs are looked at on their own loop too: a long run of another pipeline must not hold back a deadline's alert.
    const slaLoop = this.opts.slas?.length ? this.watchSlas(signal, maxSleepMs) : Promise.resolve();
    await this.loop(signal, maxSleepMs);
    await slaLoop;
  }

  private async watchSlas(signal: AbortSignal, maxSleepMs: number): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.checkSlas();
      } catch (e) {
        this.emit({ type: "error", error: describeError(e) });
      }
      const wait = this.nextSla ? Math.min(this.nextSla.getTime() - this.clock.now().getTime(), maxSleepMs) : maxSleepMs;
      try {
        await this.clock.sleep(Math.max(0, wait), signal);
      } catch {
        break;
      }
    }
  }

  private async loop(signal: AbortSignal, maxSleepMs: number): Promise<void> {
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
