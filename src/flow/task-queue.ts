// The pipeline's side of tasks on workers: each task of the run becomes one BullMQ job carrying the project folder,
// the run's id and plan, the task id and the typed outputs of its upstream tasks (wire.ts); a `millrace worker`
// plans the same DAG, runs that one task with its own resources and sends back its output, which the DAG runner
// hands downstream as if the task had run here. A task's failure comes back as its error (code, details), so
// retries, alerts and the summary's check report read it as they would in process.
import { MillraceError } from "../errors.js";
import type { Project } from "../project/load-project.js";
import { queueSettings } from "./bullmq-executor.js";
import { JobQueue } from "./job-queue.js";
import type { RunPlan } from "./run-plan.js";
import type { PipelineTask } from "./task-kind.js";
import { decodeOutput, encodeOutput, fromWire } from "./wire.js";

export interface TaskJobData {
  projectDir: string;
  pipelineRunId: string;
  plan: RunPlan;
  taskId: string;
  /** The DAG runner's attempt (its retries); BullMQ's own retry of a crashed or stalled job keeps it. */
  attempt: number;
  /** Each upstream task's output, encoded by its kind's wire. */
  upstream: Record<string, string>;
  /** The sandboxed child running the attempt (the worker kills it when a cancel is not honoured in time). */
  pid?: number;
  /** Tracked runs started by earlier attempts of this job (a worker that died leaves one running). */
  runIds?: string[];
}

/** What a worker sends back: the task's encoded output, or its error (toWire of code, message, details). */
export interface TaskJobResult {
  worker: string;
  note?: string;
  output?: string;
  error?: string;
}

/** A task's error as sent by a worker. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The error a worker's task threw, rebuilt (a MillraceError keeps its code, hint and details). */
export function rebuildError(w: WireError): Error {
  const e = w.code ? new MillraceError(w.code, w.message, w.details ?? {}) : new Error(w.message);
  e.name = w.name;
  return e;
}

export class TaskQueue {
  private readonly jobs: JobQueue<TaskJobData, TaskJobResult>;

  constructor(private readonly project: Project) {
    this.jobs = new JobQueue(queueSettings(project));
  }

  /** The same tasks, each run as a job on a worker; `onPlaced` hears which worker took it (again on a re-queue). */
  onWorkers(
    tasks: PipelineTask[], run: { pipelineRunId: string; plan: RunPlan; onPlaced(taskId: string, worker: string, jobId: string): void },
  ): PipelineTask[] {
    const kindOf = new Map(tasks.map((t) => [t.id, t.kind]));
    // The encoded output of each finished task, sent on as it came (not decoded and encoded again).
    const sent = new Map<string, string>();
    return tasks.map((task) => ({
      ...task,
      run: async ({ ctx, upstream, attempt, signal, progress, note }) => {
        const wired: Record<string, string> = {};
        for (const [id, value] of upstream) wired[id] = sent.get(id) ?? encodeOutput(kindOf.get(id)?.wire, value);
        const data: TaskJobData = { projectDir: this.project.dir, pipelineRunId: run.pipelineRunId, plan: run.plan, taskId: task.id, attempt, upstream: wired };
        // Which worker took the job is said once per job and worker, before the task's outcome: the progress report that carries
        // it can reach this process after the result (seen in CI: "running on worker" logged after "succeeded").
        // A job re-queued after its worker died is placed again, on the worker that takes it next.
        let placed: string | undefined;
        const place = (worker: string, jobId: string) => {
          if (placed === `${worker}#${jobId}`) return;
          placed = `${worker}#${jobId}`;
          run.onPlaced(task.id, worker, jobId);
        };
        const { jobId, result } = await this.jobs.run(task.id, data, {
          signal,
          onProgress: (p, jobId) => {
            const r = p as { worker?: string; done?: number; total?: number; note?: string };
            if (typeof r?.worker === "string") place(r.worker, jobId);
            else if (typeof r?.done === "number" && typeof r.total === "number") progress(r.done, r.total, r.note);
          },
        }).catch((e: unknown) => {
          const message = (e as Error)?.message ?? String(e);
          if (signal.aborted) throw signal.reason;
          throw new MillraceError("worker_failed", `task ${task.id} failed on its worker: ${message.split("\n")[0]}`, {
            hint: message.includes("timed out")
              ? `no worker finished it in time: start one with millrace worker ${this.project.dir}`
              : "see the worker's output; a worker that died has its job re-queued when its lock expires",
          });
        });
        place(result.worker, jobId);
        note(result.note ? `${result.note} (on ${result.worker})` : `on ${result.worker}`);
        if (result.error !== undefined) throw rebuildError(fromWire<WireError>(result.error));
        sent.set(task.id, result.output!);
        return decodeOutput(task.kind.wire, result.output!, ctx);
      },
    }));
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}
