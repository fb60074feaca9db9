// The public barrel as a user meets it: the README's TypeScript usage compiles (npm run typecheck covers test/) and
// runs, and the names a user writes first mean what they say (`Task` is the learning task, not the DAG's).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as millrace from "../src/index.js";
import { definePipeline, runPipeline, withResources, type PipelineSummary, type PipelineTask, type Task } from "../src/index.js";

describe("public API", () => {
  it("names the learning task Task and the DAG's task PipelineTask", () => {
    const task: Task = "binary"; // failed to compile when the barrel exported the DAG's Task under this name
    const step: Pick<PipelineTask<unknown>, "id" | "deps"> = { id: "x", deps: [] };
    expect([task, step.id]).toEqual(["binary", "x"]);
  });

  it("keeps internals out of the barrel", () => {
    for (const name of ["Lake", "runDag", "buildPipelineTasks"]) expect(Object.keys(millrace)).not.toContain(name);
  });

  it("runs the README's definePipeline → withResources → runPipeline on a small project", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-api-"));
    fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
    const rows = ["id,x,z,y", ...Array.from({ length: 400 }, (_, i) => `${i},${(i * 37) % 100},${i % 7},${(i * 37) % 100 > 50 ? "yes" : "no"}`)];
    fs.writeFileSync(path.join(dir, "data/landing/a.csv"), rows.join("\n") + "\n");
    const project = definePipeline(
      {
        name: "api",
        sources: [{ name: "points" }],
        dataset: { table: "bronze.points", target: "y", task: "binary", positive: "yes", key: "id" },
        train: { cv_folds: 0, candidates: [{ name: "lr", model: "logistic_regression" }] },
        registry: { model: "api", gate: { min: { roc_auc: 0.6 } } },
      },
      dir,
    );
    const summary: PipelineSummary = await withResources(project, (r) => runPipeline(r));
    expect(summary.status).toBe("succeeded");
    expect(summary.dataset?.splitBy).toBe("key id");
    expect(summary.model?.promoted).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
