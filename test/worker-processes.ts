// `millrace worker` child processes for tests: started in their own process group (so a test can SIGKILL a worker
// with its sandboxed children, as a crash or an OOM kill would), their JSON events collected.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { redisUnavailable, redisUrl, requireServices } from "../src/store/test-helpers/services.js";
import { cli } from "./cli.js";

export interface WorkerProcess {
  proc: ChildProcess;
  events: any[];
  ready: Promise<void>;
  /** The worker's id (host:pid), once ready. */
  id(): string | undefined;
}

const started: ChildProcess[] = [];

/** The environment of a pipeline and its workers on a queue of their own (bullmq executor, the test Redis). */
export const envFor = (queue: string) => ({ MILLRACE_EXECUTOR: "bullmq", MILLRACE_REDIS_URL: redisUrl, MILLRACE_QUEUE: `${queue}-${process.pid}-${Date.now()}`, NO_COLOR: "1" });

/** SIGKILL to the worker and its sandboxed children (its process group). */
export function killGroup(p: ChildProcess): void {
  try {
    process.kill(-p.pid!, "SIGKILL");
  } catch {
    /* already gone */
  }
}

/** Kills every worker still running (an afterEach). */
export function killWorkers(): void {
  for (const w of started.splice(0)) if (w.exitCode === null) killGroup(w);
}

export function startWorker(dir: string, env: NodeJS.ProcessEnv): WorkerProcess {
  const proc = spawn(process.execPath, [cli, "worker", dir, "--json"], { env: { ...process.env, ...env }, detached: true });
  started.push(proc);
  const events: any[] = [];
  let buf = "";
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on("data", (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const e = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        events.push(e);
        if (e.type === "ready") resolve();
      }
    });
    proc.on("exit", (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
  ready.catch(() => undefined);
  return { proc, events, ready, id: () => events.find((e) => e.type === "ready")?.worker };
}

/** Polls `cond` every 50 ms, up to `ms`. */
export async function until(cond: () => boolean, ms = 120_000): Promise<boolean> {
  for (let waited = 0; waited < ms && !cond(); waited += 50) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

/** Edits the churn example's millrace.yaml: its gbdt candidate made slow (minutes), then `edit` on the text. */
export function slowGbdt(dir: string, edit: (yaml: string, slow: string) => string = (y) => y): void {
  const yaml = path.join(dir, "millrace.yaml");
  const slow = "{ n_estimators: 50000, learning_rate: 0.0005, max_depth: 4, min_child_weight: 5 }";
  const text = fs.readFileSync(yaml, "utf8").replace("params: { n_estimators: 300, learning_rate: 0.03, max_depth: 4, min_child_weight: 5 }", `params: ${slow}`);
  if (!text.includes(slow)) throw new Error("the churn example's gbdt params changed: update slowGbdt");
  fs.writeFileSync(yaml, edit(text, slow));
}

/**
 * A short job lock (execution.lock_seconds: 5), so a dead worker's job is noticed within seconds. 2 s was too short
 * once every task became a job: on a busy CI machine a live worker that missed a renewal had its job taken as stalled
 * (CI10 failed the re-queue test with exit 1, passing alone here).
 */
export function withShortLock(dir: string): void {
  const yaml = path.join(dir, "millrace.yaml");
  const text = fs.readFileSync(yaml, "utf8").replace("monitor:", "execution:\n  lock_seconds: 5\n\nmonitor:");
  if (!text.includes("lock_seconds: 5")) throw new Error("the example's millrace.yaml has no monitor: section to put execution: before");
  fs.writeFileSync(yaml, text);
}

export type Executor = "local" | "bullmq";
const noRedis = await redisUnavailable();
if (noRedis && requireServices) throw new Error(`${noRedis}; CI must run the pipeline tests on workers too`);
if (noRedis) console.warn(`pipeline tests run locally only: ${noRedis}`);
/** The executors a pipeline test runs under (`describe.each(executors)`): bullmq too when Redis runs. */
export const executors: Executor[] = noRedis ? ["local"] : ["local", "bullmq"];

/**
 * A describe's executor: the env of its CLI calls. With bullmq, two `millrace worker` processes on the project
 * `dir()` (read in beforeAll, so register this after the hook that makes it), on a queue of their own, started once
 * for the describe and killed after it; with local, MILLRACE_EXECUTOR=local. Call inside the describe.
 */
export function onExecutor(executor: Executor, dir: () => string, queue: string): { env: NodeJS.ProcessEnv; workers: WorkerProcess[] } {
  const fixture = { env: { MILLRACE_EXECUTOR: "local", NO_COLOR: "1" } as NodeJS.ProcessEnv, workers: [] as WorkerProcess[] };
  if (executor === "local") return fixture;
  beforeAll(async () => {
    Object.assign(fixture.env, envFor(queue));
    fixture.workers.push(startWorker(dir(), fixture.env), startWorker(dir(), fixture.env));
    await Promise.all(fixture.workers.map((w) => w.ready));
  });
  afterAll(() => {
    for (const w of fixture.workers.splice(0)) if (w.proc.exitCode === null) killGroup(w.proc);
  });
  return fixture;
}
