// Which due times of a cron schedule are to fire now, given the latest one already claimed: the catch-up policy.
import { Cron } from "croner";
import { pipelinesOf } from "../flow/pipelines.js";

/** One pipeline's schedule. */
export interface ScheduleSpec {
  pipeline: string;
  cron: string;
  timezone: string;
  /** Fire every missed tick (oldest first) instead of only the latest. */
  catchup: boolean;
}

export { DEFAULT_PIPELINE } from "../flow/pipelines.js";

/** The schedules a project declares: each pipeline's, or the top-level one of the default pipeline. */
export function schedulesOf(cfg: Parameters<typeof pipelinesOf>[0]): ScheduleSpec[] {
  return pipelinesOf(cfg).flatMap((p) => (p.schedule ? [{ pipeline: p.name, cron: p.schedule, timezone: p.timezone, catchup: p.catchup }] : []));
}

function cronOf(spec: ScheduleSpec): Cron {
  return new Cron(spec.cron, { timezone: spec.timezone, paused: true });
}

/** Most ticks one pass fires with catch-up on; the rest fire on the next passes. */
export const MAX_CATCHUP = 1000;

/**
 * The ticks to fire at `now`, oldest first, and how many missed ones the policy passes over.
 * `after` is the latest tick already claimed (null: the schedule never fired, and then only its latest tick at or
 * before now fires — as Airflow does without a start date — whatever the catch-up policy).
 */
export function dueTicks(spec: ScheduleSpec, after: Date | null, now: Date): { due: Date[]; passedOver: number } {
  const cron = cronOf(spec);
  // previousRuns is strictly before its reference: one millisecond later includes a tick due exactly now.
  const latest = cron.previousRuns(1, new Date(now.getTime() + 1))[0];
  if (!latest || (after && latest.getTime() <= after.getTime())) return { due: [], passedOver: 0 };
  if (!after) return { due: [latest], passedOver: 0 };
  const missed: Date[] = [];
  for (let t = cron.nextRun(after); t && t.getTime() <= now.getTime() && missed.length < MAX_CATCHUP; t = cron.nextRun(t)) missed.push(t);
  if (spec.catchup) return { due: missed, passedOver: 0 };
  return { due: [latest], passedOver: Math.max(0, missed.length - 1) };
}

/** The first tick strictly after `now`, or null when the expression has no more (a fixed date that passed). */
export function nextTick(spec: ScheduleSpec, now: Date): Date | null {
  return cronOf(spec).nextRun(now);
}
