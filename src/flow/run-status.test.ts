// A run's record in the store says how it ended: a cancelled run is "cancelled" there (not "failed"), and
// `millrace pipeline runs --json` shows it so; a run that ends normally is "succeeded".
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { pipelineRunsCommand } from "../cli/commands/pipeline-runs.js";
import { projectFromYaml } from "../project/load-project.js";
import { runPipeline } from "./pipeline.js";
import { withResources } from "./resources.js";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const YAML = `name: cancelme
sources:
  - { name: customers, pattern: "*.csv" }
dataset: { table: bronze.customers, target: churned, task: binary, positive: "yes", exclude: [id, _source_file, _ingested_at, _batch_id] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: cancelme, gate: { must_beat_production: false } }
`;

function project() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-cancel-"));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(path.join(dir, "millrace.yaml"), YAML);
  const rows = Array.from({ length: 60 }, (_, i) => `${i},${i % 9},${i % 2 ? "yes" : "no"}`).join("\n");
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), `id,tenure,churned\n${rows}\n`);
  return { dir, p: projectFromYaml(YAML, path.join(dir, "millrace.yaml")) };
}

describe("the stored status of a pipeline run", () => {
  it("is cancelled for a cancelled run and succeeded for a finished one, and pipeline runs shows both", async () => {
    const { dir, p } = project();
    const ctl = new AbortController();
    // Cancelled as training starts: the dataset is built, the train task is aborted, the rest skipped.
    const cancelled = await withResources(p, (r) =>
      runPipeline(r, { signal: ctl.signal, onEvent: (e) => e.type === "start" && e.taskId.startsWith("train") && ctl.abort("stop") }),
    );
    expect(cancelled.status).toBe("cancelled");
    const ok = await withResources(p, (r) => runPipeline(r));
    expect(ok.status).toBe("succeeded");
    const stored = await withResources(p, async (r) => [await r.meta.getPipelineRun(cancelled.pipelineRunId), await r.meta.getPipelineRun(ok.pipelineRunId)]);
    expect(stored.map((x) => x?.status)).toEqual(["cancelled", "succeeded"]);
    expect(stored[0]?.error).toBe("cancelled");

    const printed: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => printed.push(String(s)) > 0);
    expect(await pipelineRunsCommand({ project: dir, limit: 5, json: true })).toBe(0);
    const listed = JSON.parse(printed.join("")) as { id: string; status: string }[];
    expect(Object.fromEntries(listed.map((x) => [x.id, x.status]))).toEqual({ [cancelled.pipelineRunId]: "cancelled", [ok.pipelineRunId]: "succeeded" });
  });
});
