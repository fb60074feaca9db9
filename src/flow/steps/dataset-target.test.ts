// A project refuses a class target that cannot be learned as classes — a date, or a value in every row its own —
// at the dataset step, as `millrace train` does (learn/target.ts checkClassTarget), naming dataset.target.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectFromYaml } from "../../project/load-project.js";
import { runPipeline } from "../pipeline.js";
import { withResources } from "../resources.js";

let dir = "";
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function project(target: string) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-target-"));
  const yaml = [
    "name: target",
    "sources: [{ name: visits, pattern: \"*.csv\" }]",
    `dataset: { table: bronze.visits, target: ${target}, task: multiclass, exclude: [_source_file, _ingested_at, _batch_id] }`,
    "train: { candidates: [{ name: lr, model: logistic_regression }] }",
    "registry: { model: target, gate: { must_beat_production: false } }",
  ].join("\n");
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
  const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
  const rows = Array.from({ length: 120 }, (_, i) => `${day(i)},${i % 9},${(i * 7) % 5},${["a", "b", "c"][i % 3]}`);
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), ["visited,calls,tenure,grade", ...rows, ""].join("\n"));
  return projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
}

describe("a project's class target", () => {
  it("is refused when it holds dates, naming dataset.target with a hint in the project's terms", async () => {
    const summary = await withResources(project("visited"), (r) => runPipeline(r));
    expect(summary.status).toBe("failed");
    const failure = JSON.stringify(summary.failure);
    expect(failure).toMatch(/target \\"visited\\" holds dates/);
    expect(failure).toContain("dataset.target");
    expect(failure).toContain("set dataset.target to another column");
    expect(failure).not.toContain("--target");
  });

  it("trains when the target is a real class column", async () => {
    const summary = await withResources(project("grade"), (r) => runPipeline(r));
    expect(summary.status, JSON.stringify(summary.failure)).toBe("succeeded");
  });
});
