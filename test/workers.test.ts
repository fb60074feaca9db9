// Tasks on `millrace worker` processes through Redis (BullMQ): candidates train side by side on workers, and a
// job whose worker is killed mid-task is re-queued and finished by another — through the real CLI.
import fs from "node:fs";
import path from "node:path";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { redisUnavailable, redisUrl, requireServices } from "../src/store/test-helpers/services.js";
import { copyExample, millrace, millraceAsync } from "./cli.js";
import { killGroup, killWorkers, slowGbdt, startWorker, withShortLock } from "./worker-processes.js";

const redisReason = await redisUnavailable();
if (redisReason && requireServices) throw new Error(`${redisReason}; CI must run the worker tests`);
if (redisReason) console.warn(`skipping worker tests: ${redisReason}`);

afterEach(killWorkers);

describe.skipIf(redisReason !== null)("training workers", () => {
  const envFor = (queue: string) => ({ MILLRACE_EXECUTOR: "bullmq", MILLRACE_REDIS_URL: redisUrl, MILLRACE_QUEUE: `${queue}-${process.pid}-${Date.now()}`, NO_COLOR: "1" });

  it("trains the candidates on two workers and registers the winner", async () => {
    const dir = copyExample("churn");
    const env = envFor("two");
    const a = startWorker(dir, env);
    const b = startWorker(dir, env);
    await Promise.all([a.ready, b.ready]);
    const run = await millraceAsync(["run", dir, "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.model).toMatchObject({ version: 1, promoted: true });
    const runs = millrace(["runs", "-p", dir, "--json"]).json;
    expect(runs).toHaveLength(2);
    const workerIds = new Set(runs.map((r: any) => r.tags.worker));
    expect([...workerIds].every((w) => typeof w === "string" && w.includes(":"))).toBe(true);
    // Every task is a job (issue 13): the two candidates among them.
    const completed = a.events.concat(b.events).filter((e) => e.type === "completed").map((e) => e.job.split(" ")[1]);
    expect(completed.filter((j: string) => j.startsWith("train:")).sort()).toEqual(["train:gbdt", "train:logistic"]);
  });

  it("re-queues a job whose worker dies and finishes it on another", async () => {
    const dir = copyExample("churn");
    withShortLock(dir);
    const env = envFor("crash");
    const doomed = startWorker(dir, env);
    await doomed.ready;
    const run = millraceAsync(["run", dir, "--json"], env);
    for (let i = 0; i < 2400 && !doomed.events.some((e) => e.type === "active"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(doomed.events.some((e) => e.type === "active")).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    killGroup(doomed.proc);
    const rescuer = startWorker(dir, env);
    await rescuer.ready;
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.model.version).toBe(1);
    expect(rescuer.events.filter((e) => e.type === "completed").length).toBeGreaterThanOrEqual(1);
    const all = millrace(["runs", "-p", dir, "--all", "--json"]).json;
    // The killed attempt's run, if it had started, is closed as failed rather than left running.
    expect(all.filter((r: any) => r.status === "running")).toEqual([]);
  }, 240_000);

  it("cancelling a run removes its queued job and aborts the one a worker runs (killed after the grace period, its retry refuses to start)", async () => {
    const dir = copyExample("churn");
    // Two slow gbdt candidates: one runs on the only worker, the other waits in the queue when the cancel comes.
    slowGbdt(dir, (yaml, slow) => yaml.replace(`params: ${slow}`, `params: ${slow}\n    - name: gbdt2\n      model: gbdt\n      params: ${slow}`));
    expect(fs.readFileSync(path.join(dir, "millrace.yaml"), "utf8")).toContain("gbdt2");
    const env = envFor("cancel");
    const w = startWorker(dir, env);
    await w.ready;
    const runId = `cancel-${Date.now()}`;
    const run = millraceAsync(["pipeline", "trigger", "default", "-p", dir, "--run-id", runId, "--json"], env);
    const activeGbdt = () => w.events.find((e) => e.type === "active" && / train:gbdt$/.test(e.job));
    for (let i = 0; i < 2400 && !activeGbdt(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(activeGbdt(), JSON.stringify(w.events)).toBeDefined();
    const cancel = millrace(["pipeline", "cancel", runId, "-p", dir, "--json"]);
    expect(cancel.json, cancel.stdout + cancel.stderr).toMatchObject({ runId, requested: true });
    const result = await run;
    expect(result.json?.status, result.stdout + result.stderr).toBe("cancelled");
    // The running job fails for good on the worker (aborted, or killed and its retry refused), never completes.
    // A learner busy on its thread reads no abort: its child is killed after the grace period, and the retry that
    // BullMQ starts finds the cancel key and fails for good ("cancelled").
    const failedGbdt = () => w.events.find((e) => e.type === "failed" && / train:gbdt$/.test(e.job) && String(e.detail).includes("cancelled"));
    for (let i = 0; i < 600 && !failedGbdt(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(failedGbdt()?.detail, JSON.stringify(w.events)).toContain("cancelled");
    expect(w.events.filter((e) => e.type === "cancelled").map((e) => e.job)).toContain(activeGbdt().job.split(" ")[0]);
    const queue = new Queue(env.MILLRACE_QUEUE, { connection: { url: redisUrl } });
    try {
      const jobs = await queue.getJobs(["waiting", "active", "delayed", "completed", "failed"]);
      const byName = Object.fromEntries(jobs.map((j) => [j.name, j]));
      // The queued one was removed before any worker took it.
      expect(byName["train:gbdt2"]).toBeUndefined();
      expect(await byName["train:gbdt"]?.getState()).toBe("failed");
      expect(w.events.some((e) => / train:gbdt2$/.test(e.job ?? ""))).toBe(false);
    } finally {
      await queue.close();
    }
    // No model version came of it, and no tracked run is left running.
    expect(millrace(["runs", "-p", dir, "--all", "--json"]).json.filter((r: any) => r.status === "running" && r.name.startsWith("gbdt"))).toEqual([]);
  }, 240_000);
});
