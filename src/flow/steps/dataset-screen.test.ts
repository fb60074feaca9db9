// The dataset step screens default features as `millrace train` does, but only warns: a constant column and an
// identifier column are named in the run's notes and recorded on the dataset, and stay features (a project's inputs
// are its config's, so they never move between retrains as data arrives); listed features are not screened.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectFromYaml } from "../../project/load-project.js";
import { runPipeline } from "../pipeline.js";
import { withResources } from "../resources.js";

let dir = "";
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function project(datasetExtra: string) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-screen-"));
  const yaml = [
    "name: screen",
    "sources: [{ name: customers, pattern: \"*.csv\" }]",
    `dataset: { table: bronze.customers, target: churned, task: binary, positive: "yes", exclude: [_source_file, _ingested_at, _batch_id]${datasetExtra} }`,
    "train: { candidates: [{ name: lr, model: logistic_regression }] }",
    "registry: { model: screen, gate: { must_beat_production: false } }",
  ].join("\n");
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
  const rows = Array.from({ length: 200 }, (_, i) => `C${1000 + i},${i % 11},${(i * 7) % 5},north,${(i % 11) + ((i * 7) % 5) > 7 ? "yes" : "no"}`);
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), ["customer,tenure,calls,region,churned", ...rows, ""].join("\n"));
  return projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
}

describe("dataset screening (warnings)", () => {
  it("warns of a constant and an identifier column among the default features, and keeps them", async () => {
    const p = project("");
    const summary = await withResources(p, (r) => runPipeline(r));
    expect(summary.status, JSON.stringify(summary.failure)).toBe("succeeded");
    expect(summary.dataset?.features).toEqual(["customer", "tenure", "calls", "region"]);
    expect(summary.dataset?.flagged?.map((d) => [d.column, d.reason])).toEqual([["customer", "identifier"], ["region", "constant"]]);
    expect(summary.tasks.dataset?.note ?? JSON.stringify(summary.tasks)).toMatch(/warning: customer looks like an identifier \(\d+ distinct of \d+ rows\), region is constant/);
    const stored = await withResources(p, (r) => r.meta.getDataset(summary.dataset!.id), { lake: false });
    expect(stored?.flagged?.map((d) => d.column)).toEqual(["customer", "region"]);
  });

  it("keeps listed features as written", async () => {
    const p = project(", features: [customer, tenure, calls, region]");
    const summary = await withResources(p, (r) => runPipeline(r));
    expect(summary.status, JSON.stringify(summary.failure)).toBe("succeeded");
    expect(summary.dataset?.features).toEqual(["customer", "tenure", "calls", "region"]);
    expect(summary.dataset?.flagged).toBeUndefined();
  });
});
