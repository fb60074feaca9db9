// The pieces of orchestration that need no project: cancelling a DAG, selecting a pipeline's tasks with stand-ins,
// partition ranges and files, and which alerts a finished run raises (delivered to a real local webhook).
import http from "node:http";
import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { runDag, type Task } from "./dag.js";
import { fileInPartition, partitionRange } from "./partitions.js";
import { selectTasks } from "./pipelines.js";
import { pipelineAlerts, raisePipelineAlerts } from "./run-alerts.js";
import type { PipelineSummary } from "./summary.js";
import type { PipelineTask, TaskKind } from "./task-kind.js";

describe("cancelling a DAG", () => {
  it("aborts the running task with the reason, skips the rest, and ends cancelled", async () => {
    const ctl = new AbortController();
    let sawAbort = false;
    const tasks: Task<null>[] = [
      { id: "a", deps: [], run: async () => 1 },
      {
        id: "b", deps: ["a"],
        run: ({ signal }) =>
          new Promise((_, reject) => {
            signal.addEventListener("abort", () => {
              sawAbort = true;
              reject(signal.reason);
            });
            setTimeout(() => ctl.abort("stop"), 5);
          }),
      },
      { id: "c", deps: ["b"], run: async () => 3 },
      { id: "d", deps: ["a"], run: async () => 4 },
    ];
    const r = await runDag(tasks, null, { signal: ctl.signal });
    expect(sawAbort).toBe(true);
    expect(r.status).toBe("cancelled");
    expect(r.states).toMatchObject({ a: "succeeded", b: "cancelled", c: "skipped", d: "skipped" });
  });
});

describe("timeouts of a busy task", () => {
  it("a task that keeps the thread busy is timed out at its next progress report", async () => {
    // Simulated time: each step of the busy loop moves the clock 10 ms without yielding, so the timeout's sleep can
    // never fire; only the progress report can see that the 50 ms deadline passed.
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    let reports = 0;
    const busy: Task<null> = {
      id: "busy", deps: [], timeoutMs: 50,
      run: async ({ progress, signal }) => {
        for (let step = 1; step <= 200; step++) {
          clock.set(new Date(clock.now().getTime() + 10));
          progress(++reports, 200);
          signal.throwIfAborted();
        }
        return "done";
      },
    };
    const r = await runDag([busy], null, { clock });
    expect(r.states.busy).toBe("timed_out");
    // Stopped at the first report at or past the deadline (t = 50 ms), not after all 200 steps.
    expect(reports).toBe(5);
  });
});

const kind = (name: string, standIn = false): TaskKind => ({
  name, description: name, needs: [], plan: () => [], summarize: () => undefined,
  ...(standIn ? { standIn: (t: PipelineTask) => ({ ...t, deps: [], kind: { ...t.kind, name: "current" } }) } : {}),
});
const table = kind("transform", true);
const train = kind("train");
const t = (id: string, k: TaskKind, deps: string[] = []): PipelineTask => ({ id, deps, kind: k, ref: { id }, run: async () => id });

describe("pipeline selection", () => {
  const all = [t("transform:silver.a", table), t("transform:gold.a", table, ["transform:silver.a"]), t("dataset", kind("dataset"), ["transform:gold.a"]), t("train:x", train, ["dataset"])];
  it("runs every task without a selection, and stands in for the tables a selection reads", () => {
    expect(selectTasks(all, { name: "default", tasks: null })).toBe(all);
    const training = selectTasks(all, { name: "training", tasks: ["dataset", "train"] });
    expect(training.map((x) => [x.id, x.kind.name, x.deps])).toEqual([
      ["transform:gold.a", "current", []],
      ["dataset", "dataset", ["transform:gold.a"]],
      ["train:x", "train", ["dataset"]],
    ]);
    expect(selectTasks(all, { name: "silver", tasks: ["transform:silver.*"] }).map((x) => x.id)).toEqual(["transform:silver.a"]);
  });
  it("names a selector that matches nothing, and a needed task that has no stand-in", () => {
    expect(() => selectTasks(all, { name: "p", tasks: ["trian"] })).toThrow('pipelines.p.tasks: "trian" names no task');
    expect(() => selectTasks(all, { name: "p", tasks: ["train"] })).toThrow("pipeline p runs train:x but not dataset, which it needs");
  });
});

describe("partitions", () => {
  const daily = { granularity: "day" as const, start: "2026-01-01", file_date: "(\\d{4}-\\d{2}-\\d{2})" };
  it("lists days and months inclusive, and refuses dates before the start or out of order", () => {
    expect(partitionRange(daily, "2026-01-30", "2026-02-02")).toEqual(["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02"]);
    expect(partitionRange({ ...daily, granularity: "month" }, "2026-01-15", "2026-03-01")).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(() => partitionRange(daily, "2025-12-31", "2026-01-02")).toThrow("before the pipeline's first partition 2026-01-01");
    expect(() => partitionRange(daily, "2026-01-03", "2026-01-02")).toThrow("--to 2026-01-02 is before --from 2026-01-03");
    expect(() => partitionRange(daily, "2026-1-3", "2026-01-04")).toThrow('--from "2026-1-3" is not a day');
  });
  it("keeps the files whose name carries the partition's date", () => {
    const inJan2 = fileInPartition(daily, "2026-01-02");
    expect(["/l/events-2026-01-02.csv", "/l/events-2026-01-12.csv", "/l/other.csv"].filter(inJan2)).toEqual(["/l/events-2026-01-02.csv"]);
    expect(["/l/a-2026-02-01.csv", "/l/a-2026-03-01.csv"].filter(fileInPartition({ ...daily, granularity: "month" }, "2026-02"))).toEqual(["/l/a-2026-02-01.csv"]);
  });
});

describe("pipeline alerts", () => {
  const summary = (over: Partial<PipelineSummary>): PipelineSummary => ({
    project: "churn", pipelineRunId: "0123456789", pipeline: "training", status: "failed", startedAt: "", durationMs: 1, metric: "roc_auc",
    ingest: [], tables: [], checks: [], training: { trained: false, reason: "" }, candidates: [], tasks: {}, ...over,
  });
  const rules = [
    { name: "failed", on: "run_failed" as const, actions: ["webhook" as const], webhook: "" },
    { name: "slow", on: "task_timed_out" as const, actions: ["webhook" as const], webhook: "" },
    { name: "checks", on: "check_failed" as const, actions: ["webhook" as const], webhook: "", pipelines: ["data"] },
  ];
  it("raises failed runs and timed-out tasks, not cancelled or succeeded runs, and only for the named pipelines", () => {
    const failed = summary({ tasks: { "train:x": { state: "timed_out" } }, failure: { task: "train:x", code: "task_timeout", message: "task train:x timed out" } });
    expect(pipelineAlerts(failed, rules).map((a) => [a.rule, a.subject])).toEqual([["failed", "train:x"], ["slow", "train:x"]]);
    expect(pipelineAlerts(summary({ status: "cancelled" }), rules)).toEqual([]);
    const check = { table: { table: "silver.a", version: 3 }, errors: 1, warnings: 0, passed: false, results: [{ column: "y", rule: "not_null", severity: "error", passed: false, failing: 4 }] };
    expect(pipelineAlerts(summary({ status: "failed", checks: [check as never] }), rules).map((a) => a.rule)).toEqual(["failed"]);
    expect(pipelineAlerts(summary({ pipeline: "data", status: "failed", checks: [check as never] }), rules).find((a) => a.rule === "checks")?.message).toContain("1 error check(s) failed on silver.a@3: y not_null (4 rows)");
  });
  it("posts each alert to the webhook as JSON", async () => {
    const got: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d)).on("end", () => {
        got.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    try {
      const sent = await raisePipelineAlerts(summary({ failure: { task: "dataset", code: "x", message: "boom" } }), [{ ...rules[0], webhook: url }]);
      expect(sent).toHaveLength(1);
      expect(got).toEqual([{ source: "millrace", alert: expect.objectContaining({ rule: "failed", kind: "run_failed", pipeline: "training", runId: "0123456789", subject: "dataset" }) }]);
    } finally {
      server.close();
    }
  });
});
