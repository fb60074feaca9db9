// SLA misses of pipelines (sla: in millrace.yaml), as Airflow's SLA and Dagster's freshness policies: a duration
// ("2h": each run succeeds within 2 h of its tick's due time, or of its start when not scheduled) or a deadline
// cron ({deadline: "0 9 * * *"}: by each deadline the pipeline has succeeded since the one before). Pure: the
// scheduler hands in the runs and the time, and claims each miss in the store before alerting, so two
// schedulers alert once and a restarted one does not repeat itself.
import { Cron } from "croner";

export interface SlaSpec {
  pipeline: string;
  /** Milliseconds from each run's due time (or start), or a deadline cron. */
  sla: number | { deadline: string; timezone?: string };
  /** The pipeline's time zone (a deadline cron without its own is read in it). */
  timezone: string;
}

/** A run as the SLA sees it: when it was due (its schedule tick) or started, and how it ended. */
export interface SlaRun {
  id: string;
  status: "running" | "succeeded" | "failed" | "cancelled";
  startedAt: string;
  endedAt: string | null;
  /** The due time of the schedule tick that started it. */
  dueAt?: string;
}

export interface SlaMiss {
  pipeline: string;
  kind: "duration" | "deadline";
  /** When the pipeline should have succeeded by. */
  deadline: string;
  /** The start of the window a success had to fall in. */
  since: string;
  /** The run that missed a duration SLA. */
  runId?: string;
  /** One key per miss: what the store claims so the alert goes out once. */
  key: string;
  message: string;
}

/** Runs whose duration deadline is older than this are not looked at (a scheduler down for days does not flood). */
export const SLA_LOOKBACK_MS = 24 * 3600_000;

const fmtMs = (ms: number) => (ms % 3600_000 === 0 ? `${ms / 3600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);

/** The misses at `now` of one pipeline, given its recent runs (any order). */
export function slaMisses(spec: SlaSpec, runs: readonly SlaRun[], now: Date): SlaMiss[] {
  const t = now.getTime();
  const successes = runs.filter((r) => r.status === "succeeded" && r.endedAt).map((r) => ({ start: Date.parse(r.startedAt), end: Date.parse(r.endedAt!) }));
  if (typeof spec.sla === "number") {
    const ms = spec.sla;
    const out: SlaMiss[] = [];
    for (const run of runs) {
      const from = Date.parse(run.dueAt ?? run.startedAt);
      const deadline = from + ms;
      if (deadline > t || deadline < t - SLA_LOOKBACK_MS) continue;
      // Met by any success that started at or after the due time (this run or a later one) and ended in time.
      if (successes.some((s) => s.start >= from - 1000 && s.end <= deadline)) continue;
      const state = run.status === "running" ? "is still running" : run.status === "succeeded" ? `succeeded late, at ${run.endedAt}` : `ended ${run.status}`;
      out.push({
        pipeline: spec.pipeline, kind: "duration", deadline: new Date(deadline).toISOString(), since: new Date(from).toISOString(), runId: run.id,
        key: `run:${run.id}`,
        message: `pipeline ${spec.pipeline} missed its SLA of ${fmtMs(ms)}: run ${run.id.slice(0, 8)} (${run.dueAt ? `due ${run.dueAt}` : `started ${run.startedAt}`}) ${state} at ${new Date(deadline).toISOString()}`,
      });
    }
    return out;
  }
  const cron = new Cron(spec.sla.deadline, { timezone: spec.sla.timezone ?? spec.timezone, paused: true });
  const [deadline, before] = cron.previousRuns(2, new Date(t + 1));
  if (!deadline) return [];
  const since = before ?? new Date(0);
  if (successes.some((s) => s.end > since.getTime() && s.end <= deadline.getTime())) return [];
  return [{
    pipeline: spec.pipeline, kind: "deadline", deadline: deadline.toISOString(), since: since.toISOString(), key: `deadline:${deadline.toISOString()}`,
    message: `pipeline ${spec.pipeline} missed its SLA: no successful run between ${since.toISOString()} and the deadline ${deadline.toISOString()} ("${spec.sla.deadline}")`,
  }];
}

/** When the SLA should next be looked at after `now`: the next deadline, or the soonest duration deadline to come. */
export function nextSlaCheck(spec: SlaSpec, runs: readonly SlaRun[], now: Date): Date | null {
  const t = now.getTime();
  if (typeof spec.sla === "number") {
    const ms = spec.sla;
    const next = runs.map((r) => Date.parse(r.dueAt ?? r.startedAt) + ms).filter((d) => d > t);
    return next.length ? new Date(Math.min(...next)) : null;
  }
  return new Cron(spec.sla.deadline, { timezone: spec.sla.timezone ?? spec.timezone, paused: true }).nextRun(now);
}
