// A task that times out or is cancelled really ends: the worker threads of its learner (a random forest grows
// rounds on a second thread; GBDT shards on two) and its child processes are ended, not left computing.
import { fork, spawn } from "node:child_process";
import fs from "node:fs";
import type { Worker } from "node:worker_threads";
import { Worker as ThreadWorker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeatureMatrix } from "../features/matrix.js";
import { GradientBoosting } from "../learn/gbdt/booster.js";
import { workerScript } from "../learn/gbdt/threads.js";
import { RandomForest } from "../learn/forest/random-forest.js";
import { sharedDataFile } from "../../test/shared-data.js";
import { runDag, type Task } from "./dag.js";

// Every thread the process starts, seen independently of the scope under test.
const alive = new Set<Worker>();
const exits = new Map<Worker, Promise<void>>();
const onWorker = (w: Worker) => {
  alive.add(w);
  exits.set(w, new Promise((resolve) => w.once("exit", () => (alive.delete(w), resolve()))));
};
beforeAll(() => void process.on("worker", onWorker));
afterAll(() => void process.off("worker", onWorker));

/** Resolves when every listed thread or child has exited; rejects naming what still runs after `boundMs`. */
async function ended(what: string, waits: Promise<unknown>[], boundMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still running ${boundMs} ms after the task ended`)), boundMs)));
  try {
    await Promise.race([Promise.all(waits), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** breast_cancer.csv (569 rows, 30 numeric features, target 0/1). */
const BREAST_CANCER = sharedDataFile("breast_cancer.csv", "the cancelled-learner thread tests");

function breastCancer(): { X: FeatureMatrix; y: Float64Array } {
  const [head, ...lines] = fs.readFileSync(BREAST_CANCER!, "utf8").trim().split("\n");
  const names = head.split(",");
  const rows = lines.map((l) => l.split(",").map(Number));
  const t = names.indexOf("target");
  const columns = names.flatMap((name, j) => (j === t ? [] : [{ name, kind: "numeric" as const, values: Float64Array.from(rows, (r) => r[j]) }]));
  return { X: { nRows: rows.length, columns }, y: Float64Array.from(rows, (r) => r[t]) };
}

describe("a task's threads and child processes end with it", () => {
  it("a timed-out task's busy worker thread and child process are ended", async () => {
    const started: Promise<void>[] = [];
    const hung: Task<null> = {
      id: "hung", deps: [], timeoutMs: 100,
      run: () => {
        const w = new ThreadWorker("for (;;) {}", { eval: true });
        const child = spawn("sleep", ["60"], { stdio: "ignore" });
        started.push(new Promise((resolve) => w.once("exit", () => resolve())), new Promise((resolve) => child.once("exit", () => resolve())));
        return new Promise(() => undefined);
      },
    };
    const r = await runDag([hung], null);
    expect(r.states.hung).toBe("timed_out");
    expect(started).toHaveLength(2);
    await ended("the thread or the child process", started);
  });

  it("a forked node child of a cancelled task is killed", async () => {
    const ctl = new AbortController();
    let exited: Promise<number | null> | undefined;
    const task: Task<null> = {
      id: "fork", deps: [],
      run: () => {
        const child = fork("-e", ["setInterval(() => {}, 1000)"], { execArgv: [], stdio: "ignore" });
        exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
        setTimeout(() => ctl.abort("stop"), 20);
        return new Promise(() => undefined);
      },
    };
    expect((await runDag([task], null, { signal: ctl.signal })).status).toBe("cancelled");
    await ended("the forked child", [exited!]);
  });

  for (const learner of ["random_forest", "gbdt"] as const) {
    it.skipIf(BREAST_CANCER === null)(`a cancelled ${learner} on two threads leaves no thread running (real data, needs the dist/ build)`, async () => {
      expect(workerScript(learner === "gbdt" ? "shard-worker.js" : "forest-worker.js", new URL(learner === "gbdt" ? "../learn/gbdt/threads.ts" : "../learn/forest/random-forest.ts", import.meta.url).href)).not.toBeNull();
      const { X, y } = breastCancer();
      const before = new Set(alive);
      const ctl = new AbortController();
      const train: Task<null> = {
        id: `train:${learner}`, deps: [],
        run: ({ progress, signal }) => {
          // Far more rounds than the test waits for: without the scope the forest's thread grows them all.
          const model = learner === "gbdt" ? new GradientBoosting({ n_estimators: 200_000, n_threads: 2 }) : new RandomForest({ n_estimators: 200_000, n_threads: 2 });
          return model.fit({
            X, y, nClasses: 2, seed: 1,
            onProgress: (done, total) => {
              progress(done, total);
              signal.throwIfAborted();
            },
          });
        },
      };
      const r = await runDag([train], null, { signal: ctl.signal, onEvent: (e) => e.type === "progress" && e.done >= 20 && ctl.abort("cancelled by the test") });
      expect(r.states[train.id]).toBe("cancelled");
      // Node announces a thread on the next tick, so a learner busy on the main thread is seen only now.
      const started = [...exits].filter(([w]) => !before.has(w)).map(([, p]) => p);
      expect(started.length, "the learner ran on a worker thread").toBeGreaterThanOrEqual(1);
      await ended(`${learner}'s worker thread`, started);
      expect([...alive].filter((w) => !before.has(w))).toHaveLength(0);
    });
  }
});
