import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { orderTasks, retryDelay, runDag, TaskTimeoutError, type Task, type TaskEvent } from "./dag.js";

const task = (id: string, deps: string[], run: Task<unknown>["run"] = async () => id): Task<unknown> => ({ id, deps, run });

describe("DAG", () => {
  it("orders by dependencies and passes upstream results", async () => {
    const seen: string[] = [];
    const tasks = [
      task("train", ["dataset"], async ({ upstream }) => `model(${upstream.get("dataset")})`),
      task("dataset", ["gold"], async ({ upstream }) => `ds(${upstream.get("gold")})`),
      task("gold", ["silver"]),
      task("silver", []),
    ];
    expect(orderTasks(tasks).map((t) => t.id)).toEqual(["silver", "gold", "dataset", "train"]);
    const r = await runDag(tasks, null, { onEvent: (e) => e.type === "succeeded" && seen.push(e.taskId) });
    expect(r.status).toBe("succeeded");
    expect(seen).toEqual(["silver", "gold", "dataset", "train"]);
    expect(r.results.get("train")).toBe("model(ds(gold))");
  });

  it("names a cycle and an unknown dependency", () => {
    expect(() => orderTasks([task("a", ["b"]), task("b", ["c"]), task("c", ["a"])])).toThrow("cycle: a → b → c → a");
    expect(() => orderTasks([task("a", ["zzz"])])).toThrow('task "a" depends on "zzz", which does not exist');
    expect(() => orderTasks([task("a", []), task("a", [])])).toThrow('two tasks are named "a"');
  });

  it("retries, then fails, skips dependents and still runs independent tasks", async () => {
    let calls = 0;
    const events: TaskEvent[] = [];
    const tasks: Task<unknown>[] = [
      { id: "flaky", deps: [], retries: 2, run: async () => (++calls < 3 ? Promise.reject(new Error("transient")) : "ok") },
      { id: "broken", deps: [], run: async () => Promise.reject(new Error("bad rows")) },
      task("after-broken", ["broken"]),
      task("after-after", ["after-broken"]),
      task("independent", ["flaky"]),
    ];
    const r = await runDag(tasks, null, { onEvent: (e) => events.push(e) });
    expect(calls).toBe(3);
    expect(r.status).toBe("failed");
    expect(r.failure?.taskId).toBe("broken");
    expect(r.states).toEqual({ flaky: "succeeded", broken: "failed", "after-broken": "skipped", "after-after": "skipped", independent: "succeeded" });
    expect(events.filter((e) => e.type === "retry")).toHaveLength(2);
  });

  it("runs independent tasks concurrently up to the limit", async () => {
    let active = 0;
    let peak = 0;
    const slow = (id: string) =>
      task(id, [], async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
      });
    await runDag([slow("a"), slow("b"), slow("c"), slow("d")], null, { concurrency: 2 });
    expect(peak).toBe(2);
  });

  it("retries with exponential backoff at the injected clock's times", async () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const startedAt: string[] = [];
    const delays: number[] = [];
    const tasks: Task<unknown>[] = [
      {
        id: "flaky",
        deps: [],
        retries: 3,
        retryDelayMs: 10_000,
        run: async ({ attempt }) => (attempt < 4 ? Promise.reject(new Error(`transient ${attempt}`)) : "ok"),
      },
    ];
    const done = runDag(tasks, null, {
      clock,
      onEvent: (e) => {
        if (e.type === "start") startedAt.push(clock.now().toISOString());
        if (e.type === "retry") delays.push(e.delayMs);
      },
    });
    await clock.untilPending(1);
    await clock.advance(9_999);
    expect(startedAt).toHaveLength(1); // not a millisecond early
    await clock.advance(60_001);
    const r = await done;
    expect(r.states.flaky).toBe("succeeded");
    expect(delays).toEqual([10_000, 20_000, 40_000]);
    expect(startedAt).toEqual(["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:10.000Z", "2026-01-01T00:00:30.000Z", "2026-01-01T00:01:10.000Z"]);
    expect(retryDelay({ retryDelayMs: 1_000 }, 5)).toBe(16_000);
  });

  it("cancels a hanging task at its timeout, records it timed out and skips its dependents", async () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    let aborted: unknown;
    const events: TaskEvent[] = [];
    const tasks: Task<unknown>[] = [
      {
        id: "hang",
        deps: [],
        timeoutMs: 30_000,
        run: ({ signal }) =>
          new Promise(() => {
            signal.addEventListener("abort", () => (aborted = signal.reason));
          }),
      },
      task("after", ["hang"]),
      { id: "quick", deps: [], timeoutMs: 30_000, run: async () => "fine" },
    ];
    const done = runDag(tasks, null, { clock, onEvent: (e) => events.push(e) });
    await clock.untilPending(1);
    await clock.advance(29_999);
    expect(aborted).toBeUndefined();
    await clock.advance(1);
    const r = await done;
    expect(r.states).toEqual({ hang: "timed_out", after: "skipped", quick: "succeeded" });
    expect(r.errors.hang).toBeInstanceOf(TaskTimeoutError);
    expect(aborted).toBeInstanceOf(TaskTimeoutError);
    expect(events.find((e) => e.type === "failed")).toMatchObject({ taskId: "hang", timedOut: true });
    // The finished task's timer was cleared: nothing is left waiting on the clock.
    expect(clock.pending).toBe(0);
  });

  it("retries an attempt that timed out, then succeeds", async () => {
    const clock = new ManualClock("2026-01-01T00:00:00Z");
    const tasks: Task<unknown>[] = [
      { id: "slow-once", deps: [], retries: 1, retryDelayMs: 5_000, timeoutMs: 1_000, run: ({ attempt }) => (attempt === 1 ? new Promise(() => undefined) : Promise.resolve("ok")) },
    ];
    const done = runDag(tasks, null, { clock });
    await clock.untilPending(1);
    await clock.advance(1_000);
    await clock.untilPending(1);
    await clock.advance(5_000);
    const r = await done;
    expect(r.states["slow-once"]).toBe("succeeded");
    expect(clock.now().toISOString()).toBe("2026-01-01T00:00:06.000Z");
  });
});
