import { describe, expect, it } from "vitest";
import { orderTasks, runDag, type Task, type TaskEvent } from "./dag.js";

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
});
