// Every task kind on `millrace worker` processes (execution.executor: bullmq, issue 13): the churn pipeline gives the
// same tables and model as in process with each task run on a worker; a recommendation project trains on one; a
// worker SIGKILLed mid-task (its ingest committed, not yet reported) has the task re-run by another worker, and the
// table holds each row once. Real Redis, real worker child processes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { redisUnavailable, requireServices } from "../src/store/test-helpers/services.js";
import { copyExample, millrace, millraceAsync } from "./cli.js";
import { envFor, killGroup, killWorkers, slowGbdt, startWorker, until, withShortLock } from "./worker-processes.js";

const redisReason = await redisUnavailable();
if (redisReason && requireServices) throw new Error(`${redisReason}; CI must run the worker tests`);
if (redisReason) console.warn(`skipping task worker tests: ${redisReason}`);

afterEach(killWorkers);

/** A table's rows without the ingest's own columns (_source_file, _ingested_at, _batch_id): count and an order-free sum of row hashes. */
function fingerprint(dir: string, table: string): { n: number; h: string } {
  return millrace(["query", "-p", dir, `select count(*) as n, sum(hash(r))::varchar as h from (select COLUMNS('^[^_]') from ${table}) r`, "--json"]).json[0];
}

function logLines(dir: string, runId: string, task: string): string[] {
  const out = millrace(["pipeline", "logs", runId, task, "-p", dir, "--json"]);
  expect(out.json, out.stdout + out.stderr).not.toBeNull();
  return out.json.lines.map((l: { line: string }) => l.line);
}

describe.skipIf(redisReason !== null)("every task on workers", () => {
  it("runs the churn pipeline on two workers: the same tables and model as in process, each task recorded with its worker", async () => {
    const local = copyExample("churn");
    const here = millrace(["run", local, "--json"], { MILLRACE_EXECUTOR: "local" });
    expect(here.code, here.stderr).toBe(0);
    expect(Object.values(here.json.tasks).some((t: any) => t.worker)).toBe(false);

    const dir = copyExample("churn");
    const env = envFor("tasks");
    const a = startWorker(dir, env);
    const b = startWorker(dir, env);
    await Promise.all([a.ready, b.ready]);
    const run = await millraceAsync(["run", dir, "--json"], env);
    expect(run.code, run.stderr + JSON.stringify(run.json?.failure)).toBe(0);
    const s = run.json;
    expect(s.status).toBe("succeeded");

    // Every task ran on one of the two workers, and its log says which.
    const ids = [a.id(), b.id()];
    const tasks = Object.entries(s.tasks) as [string, any][];
    expect(tasks.length).toBe(Object.keys(here.json.tasks).length);
    for (const [id, t] of tasks) {
      expect(t.state, id).toBe("succeeded");
      expect(ids, id).toContain(t.worker);
      expect(logLines(dir, s.pipelineRunId, id), id).toContain(`running on worker ${t.worker} (job ${a.events.concat(b.events).find((e) => e.type === "completed" && e.job.endsWith(` ${id}`))!.job.split(" ")[0]})`);
    }
    const done = a.events.concat(b.events).filter((e) => e.type === "completed").map((e) => e.job.split(" ")[1]);
    expect(done.sort()).toEqual(tasks.map(([id]) => id).sort());

    // The same tables: row counts and content (the ingest's own columns aside), table by table.
    const tablesOf = (x: any) => Object.fromEntries(x.tables.map((t: any) => [t.table, t.rows]));
    expect(tablesOf(s)).toEqual(tablesOf(here.json));
    for (const t of s.tables) expect(fingerprint(dir, t.table), t.table).toEqual(fingerprint(local, t.table));
    // The same dataset split and model, registered and promoted.
    expect(s.dataset).toMatchObject({ rows: here.json.dataset.rows, trainRows: here.json.dataset.trainRows, testRows: here.json.dataset.testRows });
    expect(s.model).toMatchObject({ version: 1, candidate: here.json.model.candidate, promoted: true });
    expect(s.candidates.map((c: any) => [c.candidate, c.test])).toEqual(here.json.candidates.map((c: any) => [c.candidate, c.test]));
    // The registered version is the winner's tracked run, trained on a worker (its run is tagged with it).
    const [version] = millrace(["models", "-p", dir, "--json"]).json;
    expect(version).toMatchObject({ name: "churn", version: 1 });
    const winner = millrace(["runs", "-p", dir, "--json"]).json.find((r: any) => r.id === version.runId);
    expect(ids).toContain(winner.tags.worker);
    expect(winner.tags.pipeline_run).toBe(s.pipelineRunId);
  }, 300_000);

  it("trains a recommendation project's candidates on a worker", async () => {
    const dir = copyExample("recommend");
    const env = envFor("rec");
    const w = startWorker(dir, env);
    await w.ready;
    const run = await millraceAsync(["run", dir, "--json"], env);
    expect(run.code, run.stderr + JSON.stringify(run.json?.failure)).toBe(0);
    const s = run.json;
    const trains = Object.entries(s.tasks).filter(([id]) => id.startsWith("recommend:train:")) as [string, any][];
    expect(trains.length).toBeGreaterThan(0);
    for (const [id, t] of trains) expect({ id, state: t.state, worker: t.worker }).toEqual({ id, state: "succeeded", worker: w.id() });
    expect(s.candidates.length).toBe(trains.length);
    expect(s.model).toMatchObject({ version: 1, promoted: true });
    expect(s.tasks["recommend:register"].worker).toBe(w.id());
    expect(w.events.filter((e) => e.type === "completed" && / recommend:train:/.test(e.job))).toHaveLength(trains.length);
  }, 300_000);

  it("a task's timeout reaches its worker: the job is aborted there (killed if it does not stop) and never completes", async () => {
    const dir = copyExample("churn");
    slowGbdt(dir, (yaml) => yaml.replace("monitor:", `task_settings:\n  "train:gbdt": { timeout: 4 }\n\nmonitor:`));
    expect(fs.readFileSync(path.join(dir, "millrace.yaml"), "utf8")).toContain(`"train:gbdt": { timeout: 4 }`);
    const env = envFor("timeout");
    const w = startWorker(dir, env);
    await w.ready;
    const run = await millraceAsync(["run", dir, "--json"], env);
    expect(run.code).toBe(1);
    expect(run.json.tasks["train:gbdt"]).toMatchObject({ state: "timed_out" });
    expect(run.json.failure).toMatchObject({ task: "train:gbdt", code: "task_timeout" });
    // Aborted there: the attempt fails "cancelled", or (a learner busy on its thread) is killed after the grace
    // period and its retry refuses to start, "cancelled" too.
    const failed = () => w.events.find((e) => e.type === "failed" && / train:gbdt$/.test(e.job) && String(e.detail).startsWith("cancelled"));
    expect(await until(() => failed() !== undefined, 60_000), JSON.stringify(w.events)).toBe(true);
    expect(failed().detail).toMatch(/^cancelled: task train:gbdt timed out/);
    expect(w.events.some((e) => e.type === "completed" && / train:gbdt$/.test(e.job))).toBe(false);
  }, 300_000);

  it("re-runs a task whose worker is SIGKILLed after its ingest committed on another worker: each row once", async () => {
    const dir = copyExample("churn");
    withShortLock(dir);
    const hang = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-hang-"));
    const env = envFor("kill");
    // The doomed worker's task stops right after the ingest's commit, before its result is sent.
    const doomed = startWorker(dir, { ...env, MILLRACE_FAILPOINT: "ingest:after-commit", MILLRACE_FAILPOINT_HANG: hang });
    await doomed.ready;
    const run = millraceAsync(["run", dir, "--json"], env);
    expect(await until(() => fs.readdirSync(hang).length > 0), `no failpoint reached: ${JSON.stringify(doomed.events)}`).toBe(true);
    killGroup(doomed.proc);
    const rescuer = startWorker(dir, env);
    await rescuer.ready;
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    const s = result.json;
    const ingest = "ingest:bronze.customers";
    expect(s.tasks[ingest]).toMatchObject({ state: "succeeded", worker: rescuer.id() });
    // The log names both workers: the one killed mid-task, then the one that finished it.
    const lines = logLines(dir, s.pipelineRunId, ingest);
    expect(lines).toContain(`running on worker ${doomed.id()} (job 1)`);
    expect(lines).toContain(`running on worker ${rescuer.id()} (job 1)`);
    // One version, one batch, every landing row once.
    const landing = path.join(dir, "data", "landing");
    const csvRows = fs.readdirSync(landing).filter((f) => f.endsWith(".csv"))
      .reduce((n, f) => n + fs.readFileSync(path.join(landing, f), "utf8").trim().split("\n").length - 1, 0);
    expect(millrace(["history", "-p", dir, "bronze.customers", "--json"]).json.map((v: any) => v.rowCount)).toEqual([csvRows]);
    const counts = millrace(["query", "-p", dir, "select count(*) as n, count(distinct _batch_id) as batches, count(distinct (customer_id, _source_file)) as distinct_rows from bronze.customers", "--json"]).json[0];
    expect(counts).toEqual({ n: csvRows, batches: 1, distinct_rows: csvRows });
    expect(s.model.version).toBe(1);
    fs.rmSync(hang, { recursive: true, force: true });
  }, 300_000);
});
