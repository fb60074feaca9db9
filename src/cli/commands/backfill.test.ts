// millrace backfill over daily partitions, through the real CLI: each partition's run ingests its own day's files,
// a rerun skips what succeeded, a backfill killed midway resumes, and every row is in the table exactly once.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, millrace as cli_ } from "../../../test/cli.js";
import { executors, onExecutor } from "../../../test/worker-processes.js";

const DAYS = 31;

function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-backfill-"));
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  for (let d = 1; d <= DAYS; d++) {
    const day = `2026-01-${String(d).padStart(2, "0")}`;
    const rows = Array.from({ length: 10 }, (_, i) => `${day}-${i},${day},${(d * 10 + i) % 7},${i % 2 ? "yes" : "no"}`);
    fs.writeFileSync(path.join(dir, `data/landing/events-${day}.csv`), ["id,event_date,x,y", ...rows].join("\n") + "\n");
  }
  fs.writeFileSync(
    path.join(dir, "millrace.yaml"),
    `name: events
sources:
  - { name: events, path: data/landing }
dataset: { table: bronze.events, target: y, task: binary, positive: "yes", exclude: [id, event_date] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: events }
pipelines:
  daily: { tasks: [ingest], partitions: { granularity: day, start: 2026-01-01 } }
`,
  );
  return dir;
}

// The same backfills with the ingest in process and on two `millrace worker` processes (execution.executor: bullmq).
// One project per executor (its workers serve that folder): the second test resumes past the first's 4 partitions.
describe.each(executors)("backfill (%s)", { timeout: 600_000 }, (executor) => {
  let dir: string;
  beforeAll(() => {
    dir = project();
  });
  const { env, workers } = onExecutor(executor, () => dir, "backfill");
  const millrace = (args: string[]) => cli_(args, env);
  const rows = (dir: string) => millrace(["query", "select count(*) as n, count(distinct id) as ids from bronze.events", "-p", dir, "--json"]).json[0];
  const succeeded = () => millrace(["pipeline", "runs", "-p", dir, "-n", "50", "--json"]).json.filter((r: any) => r.status === "succeeded");

  it("runs each missing partition once, skips the done ones, and refuses dates outside the pipeline", () => {
    const first = millrace(["backfill", "daily", "--from", "2026-01-01", "--to", "2026-01-03", "-p", dir, "--json"]);
    expect(first.code, first.out).toBe(0);
    expect(first.json.partitions.map((p: any) => [p.partition, p.status])).toEqual([
      ["2026-01-01", "succeeded"], ["2026-01-02", "succeeded"], ["2026-01-03", "succeeded"],
    ]);
    expect(rows(dir)).toEqual({ n: 30, ids: 30 });
    const again = millrace(["pipeline", "backfill", "daily", "--from", "2026-01-01", "--to", "2026-01-04", "-p", dir, "--json"]);
    expect(again.json.partitions.map((p: any) => p.status)).toEqual(["skipped", "skipped", "skipped", "succeeded"]);
    expect(rows(dir)).toEqual({ n: 40, ids: 40 });
    const runs = millrace(["pipeline", "runs", "-p", dir, "-n", "50", "--json"]).json;
    expect(runs.filter((r: any) => r.trigger === "backfill").map((r: any) => r.partition).sort()).toEqual(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"]);
    // Each partition's ingest ran where the executor puts it: here, or on one of the workers.
    for (const run of runs) {
      const on = millrace(["logs", run.id, "-p", dir, "--json"]).json.lines.filter((l: any) => l.line.startsWith("running on worker ")).map((l: any) => l.line.split(" ")[3]);
      expect(on, run.partition).toEqual(executor === "local" ? [] : [expect.toBeOneOf(workers.map((w) => w.id()))]);
    }
    const early = millrace(["backfill", "daily", "--from", "2025-12-31", "--to", "2026-01-02", "-p", dir, "--json"]);
    expect(early.code).toBe(1);
    expect(early.json.message).toContain("before the pipeline's first partition 2026-01-01");
  });

  it(`killed midway through ${DAYS} days and resumed: the same table, every row once`, async () => {
    const had = succeeded().length; // the first test's 4 partitions
    const child = spawn(process.execPath, [cli, "backfill", "daily", "--from", "2026-01-01", "--to", "2026-01-31", "-p", dir], { stdio: "ignore", env: { ...process.env, ...env } });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Kill it once a few more partitions are done (the next is then running or about to).
    for (let i = 0; i < 1200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (succeeded().length >= had + 3) break;
    }
    child.kill("SIGKILL");
    await exited;
    const before = succeeded().length;
    expect(before).toBeGreaterThanOrEqual(had + 3);
    expect(before).toBeLessThan(DAYS);

    const resumed = millrace(["backfill", "daily", "--from", "2026-01-01", "--to", "2026-01-31", "-p", dir, "--json"]);
    expect(resumed.code, resumed.out).toBe(0);
    const statuses = resumed.json.partitions.map((p: any) => p.status);
    expect(statuses.filter((s: string) => s === "skipped").length).toBe(before);
    expect(statuses.filter((s: string) => s === "succeeded").length).toBe(DAYS - before);
    expect(rows(dir)).toEqual({ n: DAYS * 10, ids: DAYS * 10 });
    // Nothing left to do.
    const again = millrace(["backfill", "daily", "--from", "2026-01-01", "--to", "2026-01-31", "-p", dir, "--json"]);
    expect(again.json.partitions.every((p: any) => p.status === "skipped")).toBe(true);
    expect(rows(dir)).toEqual({ n: DAYS * 10, ids: DAYS * 10 });
  });
});
