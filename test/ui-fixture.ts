// A churn project for the dashboard tests: the example with a small hyperparameter search (so trials fold under a
// run), run through the real CLI, optionally a second landing batch (new table versions, a second model version),
// and logged predictions with shifted inputs (so the drift page has something to show).
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { copyExample, millrace, startServe } from "./cli.js";

export interface UiProject {
  dir: string;
  summaries: any[];
}

/**
 * The example with 3-fold CV and a 3-trial search on the gbdt candidate, run once (twice with `secondBatch`).
 * `pruning`: a 6-trial search with pruning over a wider learning rate, where two trials are pruned. `roundsCandidate`: a
 * third candidate, a 25-round gbdt without a search, whose run has a learning curve.
 */
export function churnProject(opts: { secondBatch?: boolean; pruning?: boolean; roundsCandidate?: boolean } = {}): UiProject {
  const dir = copyExample();
  const yaml = path.join(dir, "millrace.yaml");
  const text = fs.readFileSync(yaml, "utf8");
  const tuned = text
    .replace("cv_folds: 5", "cv_folds: 3")
    .replace(
      "      params: { n_estimators: 300, learning_rate: 0.03, max_depth: 4, min_child_weight: 5 }",
      opts.pruning
        ? "      params: { n_estimators: 60, max_depth: 3, min_child_weight: 5 }\n      search:\n        method: random\n        trials: 6\n        prune: true\n        space:\n          learning_rate: { type: float, low: 0.001, high: 0.3, log: true }"
        : "      params: { n_estimators: 60, max_depth: 3, min_child_weight: 5 }\n      search:\n        method: random\n        trials: 3\n        prune: false\n        space:\n          learning_rate: { type: float, low: 0.05, high: 0.3, log: true }",
    );
  if (tuned === text || !tuned.includes("trials: ")) throw new Error("examples/churn/millrace.yaml changed: update test/ui-fixture.ts");
  // A gbdt without a search: its run keeps the final fit's loss per boosting round (a search's refit does not, yet).
  const withRounds = opts.roundsCandidate
    ? tuned.replace("\nregistry:", "    - name: gbdt_rounds\n      model: gbdt\n      params: { n_estimators: 25, learning_rate: 0.1, max_depth: 3 }\n\nregistry:")
    : tuned;
  if (withRounds === tuned && opts.roundsCandidate) throw new Error("examples/churn/millrace.yaml changed: update test/ui-fixture.ts");
  fs.writeFileSync(yaml, withRounds);
  const summaries = [runPipeline(dir)];
  if (opts.secondBatch) {
    addMarchBatch(dir);
    summaries.push(runPipeline(dir));
  }
  return { dir, summaries };
}

function runPipeline(dir: string): any {
  const r = millrace(["run", dir, "--json"]);
  if (r.code !== 0 || r.json?.status !== "succeeded") throw new Error(`millrace run failed (${r.code}): ${r.out.slice(-2000)}`);
  return r.json;
}

/** A March snapshot of 200 February customers with higher bills: new bronze/silver versions and a new dataset. */
function addMarchBatch(dir: string): void {
  const feb = fs.readFileSync(path.join(dir, "data/landing/customers-2026-02.csv"), "utf8").trim().split("\n");
  const header = feb[0].split(",");
  const charges = header.indexOf('"monthly_charges"');
  const date = header.indexOf('"snapshot_date"');
  const rows = feb.slice(1, 151).map((line) => {
    const cells = line.split(",");
    cells[date] = '"2026-03-01"';
    cells[charges] = (Number(cells[charges]) * 1.1).toFixed(2);
    return cells.join(",");
  });
  fs.writeFileSync(path.join(dir, "data/landing/customers-2026-03.csv"), [feb[0], ...rows].join("\n") + "\n");
}

/** Serves the project, sends `count` records with shifted tenure and charges to /predict, and stops the server. */
export async function logShiftedTraffic(dir: string, count = 240): Promise<void> {
  const server = await startServe(dir);
  try {
    await postShifted(server.url, server.example, count);
  } finally {
    await stop(server.proc);
  }
}

export async function postShifted(url: string, example: Record<string, unknown>, count: number): Promise<void> {
  const contracts = ["Month-to-month", "One year", "Two year"];
  const records = Array.from({ length: count }, (_, i) => ({
    ...example,
    tenure: 40 + (i % 30),
    monthly_charges: 90 + (i % 25),
    total_charges: 3000 + i * 7,
    contract: contracts[i % 7 === 0 ? 1 : 0] ?? contracts[0],
  }));
  for (let i = 0; i < records.length; i += 80) {
    const res = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: records.slice(i, i + 80) }) });
    if (res.status !== 200) throw new Error(`/predict answered ${res.status}: ${await res.text()}`);
  }
}

/** SIGTERM, then wait for the exit (the prediction log is flushed on the way out). */
export function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    proc.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}
