// A tabular candidate's timings in a project run: train_seconds is all its training (CV folds or search trials, and
// the final fit), final_fit_seconds and cv_seconds / search_seconds are parts of it, and the run summary carries the
// same numbers under the names `millrace train --json` uses.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectFromYaml } from "../../project/load-project.js";
import { runPipeline } from "../pipeline.js";
import { withResources } from "../resources.js";

let dir = "";
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 160 rows whose label follows tenure + calls: a plain candidate and a searched one, CV with 2 folds. */
function project() {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-train-seconds-"));
  const yaml = [
    "name: timings",
    "sources: [{ name: customers, pattern: \"*.csv\" }]",
    "dataset: { table: bronze.customers, target: churned, task: binary, positive: \"yes\", exclude: [id, _source_file, _ingested_at, _batch_id] }",
    "train:",
    "  cv_folds: 2",
    "  candidates:",
    "    - { name: plain, model: logistic_regression }",
    "    - { name: searched, model: gbdt, params: { n_estimators: 20 }, search: { method: grid, space: { max_depth: [2, 3] } } }",
    "registry: { model: timings, gate: { must_beat_production: false } }",
  ].join("\n");
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
  const rows = Array.from({ length: 160 }, (_, i) => `${i},${i % 11},${(i * 7) % 5},${(i % 11) + ((i * 7) % 5) > 7 ? "yes" : "no"}`);
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), ["id,tenure,calls,churned", ...rows, ""].join("\n"));
  return projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
}

describe("a candidate's training time", () => {
  it("is all its training, with the final fit and the CV folds or search trials as parts, in the run and the summary", async () => {
    const p = project();
    const summary = await withResources(p, (r) => runPipeline(r));
    expect(summary.status, JSON.stringify(summary.failure)).toBe("succeeded");
    const metrics = await withResources(p, async (r) => Object.fromEntries(await Promise.all(summary.candidates.map(async (c) => [c.candidate, (await r.meta.getRun(c.runId))!.metrics] as const))), { lake: false });

    const plain = summary.candidates.find((c) => c.candidate === "plain")!;
    const m = metrics.plain;
    expect(m.cv_seconds).toBeGreaterThan(0);
    expect(m.search_seconds).toBeUndefined();
    expect(m.train_seconds).toBeGreaterThanOrEqual(m.final_fit_seconds + m.cv_seconds);
    expect(plain).toMatchObject({ trainSeconds: m.train_seconds, finalFitSeconds: m.final_fit_seconds, cvSeconds: m.cv_seconds, fitSeconds: m.final_fit_seconds });

    const searched = summary.candidates.find((c) => c.candidate === "searched")!;
    const s = metrics.searched;
    expect(s.search_seconds).toBeGreaterThan(0);
    expect(s.cv_seconds).toBeUndefined();
    expect(s.train_seconds).toBeGreaterThanOrEqual(s.final_fit_seconds + s.search_seconds);
    expect(searched).toMatchObject({ trainSeconds: s.train_seconds, finalFitSeconds: s.final_fit_seconds, searchSeconds: s.search_seconds });
  }, 120_000);
});
