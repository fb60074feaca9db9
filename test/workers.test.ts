// Tasks on `millrace worker` processes through Redis (BullMQ): a job whose worker is killed mid-training is re-queued
// and finished by another, and a cancel reaches the queue and the worker — through the real CLI. Two workers running
// a whole pipeline, and every task kind on them: task-workers.test.ts.
import fs from "node:fs";
import path from "node:path";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { redisUnavailable, redisUrl, requireServices } from "../src/store/test-helpers/services.js";
import { copyExample, millrace, millraceAsync } from "./cli.js";
import { envFor, killGroup, killWorkers, slowGbdt, startWorker, withShortLock } from "./worker-processes.js";

const redisReason = await redisUnavailable();
if (redisReason && requireServices) throw new Error(`${redisReason}; CI must run the worker tests`);
if (redisReason) console.warn(`skipping worker tests: ${redisReason}`);

afterEach(killWorkers);

describe.skipIf(redisReason !== null)("training workers", () => {
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
    expect(result.code, result.stderr || result.stdout).toBe(0); // --json puts a failed run's error on stdout
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
