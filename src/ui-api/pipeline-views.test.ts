// The Gantt's bars from task log lines: one bar per attempt, a retried attempt closed by its "failed; retrying"
// line, a skipped task without bars, a running attempt drawn to now (or to the last line of a run that ended).
import { describe, expect, it } from "vitest";
import { timelineOf } from "./pipeline-views.js";

const t0 = "2026-12-05T09:00:00.000Z";
const at = (ms: number) => new Date(Date.parse(t0) + ms).toISOString();
const line = (seq: number, ms: number, taskId: string, text: string) => ({ seq, taskId, at: at(ms), line: text });

describe("timelineOf", () => {
  const lines = [
    line(1, 100, "ingest:a", "attempt 1 started"),
    line(2, 900, "ingest:a", "succeeded in 800 ms: 10 rows"),
    line(3, 950, "train:gbdt", "attempt 1 started"),
    line(4, 1200, "train:gbdt", "progress 3/10 round 3"),
    line(5, 1500, "train:gbdt", "attempt 1 failed: boom; retrying in 100 ms"),
    line(6, 1600, "train:gbdt", "attempt 2 started"),
    line(7, 1700, "register", "skipped: upstream train:gbdt did not succeed"),
  ];

  it("draws one bar per attempt in ms from the run's start, tasks in the order they started", () => {
    const t = timelineOf(t0, [...lines, line(8, 2600, "train:gbdt", "failed after 1000 ms: boom again")], 99_999, false);
    expect(t.tasks.map((x) => [x.taskId, x.state])).toEqual([["ingest:a", "succeeded"], ["train:gbdt", "failed"], ["register", "skipped"]]);
    expect(t.tasks[0].attempts).toEqual([{ attempt: 1, startMs: 100, endMs: 900, outcome: "succeeded" }]);
    expect(t.tasks[1].attempts).toEqual([
      { attempt: 1, startMs: 950, endMs: 1500, outcome: "failed" },
      { attempt: 2, startMs: 1600, endMs: 2600, outcome: "failed" },
    ]);
    expect(t.tasks[2].attempts).toEqual([]);
    expect(t.spanMs).toBe(2600);
  });

  it("runs an open attempt to now while the run goes, and to its last line once it ended", () => {
    const live = timelineOf(t0, lines, Date.parse(t0) + 5000, true);
    expect(live.tasks[1]).toMatchObject({ state: "running", attempts: [{ endMs: 1500 }, { startMs: 1600, endMs: 5000, outcome: "running" }] });
    const ended = timelineOf(t0, lines, Date.parse(t0) + 5000, false);
    expect(ended.tasks[1].attempts[1].endMs).toBe(1700);
  });
});
