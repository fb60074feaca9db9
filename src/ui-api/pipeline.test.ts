// Pipeline runs as the dashboard shows them: briefs of complete, failed and older summaries, and the DAG joined
// from the configured task graph and the recorded task states.
import { describe, expect, it } from "vitest";
import type { PipelineRunRecord } from "../store/metadata-store.js";
import { kindOfTask, liveTasks, pipelineBrief, runDag } from "./pipeline.js";

const record = (summary: unknown, status: PipelineRunRecord["status"] = "succeeded"): PipelineRunRecord => ({
  id: "p1", project: "demo", status, startedAt: "2026-01-01T00:00:00.000Z", endedAt: "2026-01-01T00:00:05.000Z", summary,
});

describe("pipeline briefs", () => {
  it("counts tasks, tables and rows and carries the promotion decision", () => {
    const b = pipelineBrief(record({
      durationMs: 4321,
      tasks: { "ingest:bronze.a": { state: "succeeded", ms: 10 }, dataset: { state: "succeeded" }, "train:x": { state: "failed" }, register: { state: "skipped" } },
      tables: [{ table: "bronze.a", version: 2, rows: 10, reused: false }, { table: "silver.a", version: 1, rows: 7, reused: true }],
      training: { trained: true, reason: "new dataset" },
      model: { name: "m", version: 3, alias: "production", promoted: false, reason: "roc_auc 0.7 < 0.8", candidate: "x", checks: [] },
      failure: { task: "train:x", code: "training_failed", message: "one class" },
    }, "failed"));
    expect(b).toMatchObject({
      status: "failed", durationMs: 4321,
      tasks: { total: 4, succeeded: 2, failed: 1, skipped: 1 },
      tables: { count: 2, rows: 17, reused: 1 },
      model: { version: 3, promoted: false, reason: "roc_auc 0.7 < 0.8" },
      failure: { task: "train:x", code: "training_failed", message: "one class" },
    });
  });

  it("reads a summary with parts missing (a crashed or older run) without failing", () => {
    for (const summary of [null, {}, { tasks: {} }, "not an object"]) {
      const b = pipelineBrief(record(summary, "running"));
      expect(b).toMatchObject({ status: "running", durationMs: 5000, tasks: { total: 0 }, tables: { count: 0, rows: 0 }, model: null, failure: null, training: null });
    }
    expect(pipelineBrief({ ...record({}), endedAt: null }).durationMs).toBeNull();
  });
});

describe("pipeline DAG", () => {
  const graph = [
    { id: "ingest:bronze.a", deps: [] },
    { id: "transform:silver.a", deps: ["ingest:bronze.a"] },
    { id: "dataset", deps: ["transform:silver.a"] },
    { id: "train:new_candidate", deps: ["dataset"] },
  ];

  it("keeps graph order, marks tasks the run did not record as absent, and keeps recorded tasks the graph lost", () => {
    const dag = runDag({ "ingest:bronze.a": { state: "succeeded", ms: 12, note: "1 file" }, "transform:silver.a": { state: "failed", ms: 3 }, dataset: { state: "skipped" }, "train:old": { state: "succeeded", ms: 99 } }, graph);
    expect(dag.nodes.map((n) => [n.id, n.state])).toEqual([
      ["ingest:bronze.a", "succeeded"], ["transform:silver.a", "failed"], ["dataset", "skipped"], ["train:new_candidate", "absent"], ["train:old", "succeeded"],
    ]);
    expect(dag.nodes[0]).toMatchObject({ kind: "ingest", ms: 12, note: "1 file" });
    expect(dag.nodes[2]).toMatchObject({ ms: null, note: null });
    expect(dag.edges).toEqual([
      { from: "ingest:bronze.a", to: "transform:silver.a" }, { from: "transform:silver.a", to: "dataset" }, { from: "dataset", to: "train:new_candidate" },
    ]);
  });

  it("takes a task's kind from the run's record, and from its prefix for older runs", () => {
    expect(runDag({ "transform:gold.a": { state: "succeeded", kind: "current" } }, [{ id: "transform:gold.a", deps: [] }]).nodes[0].kind).toBe("current");
    expect(runDag({}, [{ id: "deploy", deps: [], kind: "deploy" }]).nodes[0].kind).toBe("deploy");
  });

  it("names task kinds by their prefix", () => {
    expect(["ingest:x", "transform:y", "train:z", "dataset", "register", "custom", "ingest"].map(kindOfTask)).toEqual(["ingest", "transform", "train", "dataset", "register", "task", "task"]);
  });

  it("reads a running run's task states from its task logs (the summary comes at the end)", () => {
    const line = (seq: number, taskId: string, at: string, text: string) => ({ seq, taskId, at: `2026-01-01T00:00:${at}Z`, line: text });
    const live = liveTasks(graph, [
      line(1, "ingest:bronze.a", "01.000", "attempt 1 started"),
      line(2, "ingest:bronze.a", "01.500", "succeeded in 500 ms: 1 file(s), 10 rows → v1"),
      line(3, "transform:silver.a", "02.000", "attempt 1 started"),
      line(4, "transform:silver.a", "02.100", "progress 3/10 rows"),
    ]);
    expect(Object.fromEntries(Object.entries(live).map(([id, t]) => [id, [t.state, t.ms ?? null, t.note ?? null]]))).toEqual({
      "ingest:bronze.a": ["succeeded", 500, "1 file(s), 10 rows → v1"],
      "transform:silver.a": ["running", null, "3/10 rows"],
      dataset: ["pending", null, null],
      "train:new_candidate": ["pending", null, null],
    });
    expect(liveTasks(graph, [line(1, "dataset", "01.000", "attempt 1 started"), line(2, "dataset", "04.000", "timed out after 3000 ms: task dataset timed out")]).dataset.state).toBe("timed_out");
  });
});
