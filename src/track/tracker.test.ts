import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FolderArtifactStore } from "../store/artifact-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { collectGarbage, deleteRuns, shapImportanceOf, Tracker } from "./tracker.js";

async function tracker() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-track-"));
  const store = await openMetadataStore(path.join(dir, "meta.db"));
  return { store, tracker: new Tracker(store, new FolderArtifactStore(path.join(dir, "artifacts"))) };
}

describe("Tracker", () => {
  it("records params, metric steps, artifacts and duration of a finished run", async () => {
    const { store, tracker: t } = await tracker();
    const id = await t.withRun({ experiment: "e", name: "gbdt", params: { depth: 6 }, datasetId: "d1" }, async (run) => {
      await run.logMetrics({ loss: 0.7 }, 0);
      await run.logMetrics({ loss: 0.4, auc: 0.81, bad: Number.NaN }, 1);
      const uri = await run.logArtifact("model.bin", new Uint8Array([1, 2, 3]));
      expect(new Uint8Array(await t.artifacts.get(uri))).toEqual(new Uint8Array([1, 2, 3]));
      return run.id;
    });
    const run = await store.getRun(id);
    expect(run).toMatchObject({ status: "finished", params: { depth: 6 }, metrics: { loss: 0.4, auc: 0.81 }, datasetId: "d1" });
    expect(run?.metrics).not.toHaveProperty("bad");
    expect(run?.artifacts).toHaveLength(1);
    expect(run?.durationMs).toBeGreaterThanOrEqual(0);
    expect((await store.metricHistory(id, "loss")).map((p) => p.value)).toEqual([0.7, 0.4]);
    await store.close();
  });

  it("marks a run failed with the error and rethrows", async () => {
    const { store, tracker: t } = await tracker();
    let runId = "";
    await expect(
      t.withRun({ experiment: "e", name: "x" }, async (run) => {
        runId = run.id;
        throw new Error("one-class target");
      }),
    ).rejects.toThrow("one-class target");
    expect(await store.getRun(runId)).toMatchObject({ status: "failed", error: "one-class target" });
    await store.close();
  });
});

describe("deleting runs", () => {
  it("hard-deletes runs with their child runs and artifacts, refuses a run a model version came from, collects orphans", async () => {
    const { store, tracker: t } = await tracker();
    const parent = await t.startRun({ experiment: "e", name: "search" });
    const child = await t.startRun({ experiment: "e", name: "trial", parentRunId: parent.id });
    const childArtifact = await child.logArtifact("model.bin", new Uint8Array([1]));
    await child.finish("finished");
    await parent.finish("finished");
    const kept = await t.startRun({ experiment: "e", name: "kept" });
    await kept.logArtifact("model.bin", new Uint8Array([2]));
    await store.createModelVersion({ name: "m", runId: kept.id, datasetId: "d", datasetHash: "h", artifactUri: "file:///x", signature: { inputs: [], output: { task: "binary" } }, metrics: {} });

    const r = await deleteRuns(store, t.artifacts, [parent.id]);
    expect(r.deleted.sort()).toEqual([parent.id, child.id].sort());
    expect(r.artifactsRemoved).toBe(1);
    expect(await t.artifacts.exists(childArtifact)).toBe(false);
    expect(await store.getRun(child.id)).toBeNull();
    await expect(deleteRuns(store, t.artifacts, [kept.id])).rejects.toThrow(/produced m v1/);
    await expect(deleteRuns(store, t.artifacts, ["nope"])).rejects.toThrow("no run nope");

    const orphan = await t.artifacts.put("runs/ghost/model.bin", new Uint8Array([3]));
    expect(await collectGarbage(store, t.artifacts, { dryRun: true })).toEqual([orphan]);
    expect(await t.artifacts.exists(orphan)).toBe(true);
    expect(await collectGarbage(store, t.artifacts)).toEqual([orphan]);
    expect(await t.artifacts.exists(orphan)).toBe(false);
    expect(await collectGarbage(store, t.artifacts)).toEqual([]);
    await store.close();
  });

  it("keeps an artifact an old record names by its absolute file:// spelling", async () => {
    const { store, tracker: t } = await tracker();
    const run = await t.startRun({ experiment: "e", name: "old" });
    const uri = await t.artifacts.put(`runs/${run.id}/model.bin`, new Uint8Array([1]));
    // Before URIs were relative the record held the absolute path of the same file.
    await store.addArtifact(run.id, `file://${path.join((t.artifacts as FolderArtifactStore).root, "runs", run.id, "model.bin")}`);
    expect(await collectGarbage(store, t.artifacts)).toEqual([]);
    expect(await t.artifacts.exists(uri)).toBe(true);
    await store.close();
  });
});

describe("Tracker metric history and importance", () => {
  it("metricHistory gives every key's step series; logSeries stores a learning curve; logImportance keeps mean |SHAP| as shap/<column>", async () => {
    const { store, tracker: t } = await tracker();
    const id = await t.withRun({ experiment: "e", name: "gbdt" }, async (run) => {
      await run.logSeries({ train_binary_logloss: [{ step: 1, value: 0.6 }, { step: 2, value: 0.5 }, { step: 3, value: Number.NaN }, { step: 4, value: 0.45 }] });
      await run.logMetrics({ cv_roc_auc: 0.8 }, 0);
      await run.logMetrics({ cv_roc_auc: 0.82 }, 1);
      await run.logMetrics({ roc_auc: 0.81 });
      await run.logImportance({ tenure: 0.4, contract: 0.9 });
      return run.id;
    });
    const history = await t.metricHistory(id);
    expect(history).toEqual({
      cv_roc_auc: [{ step: 0, value: 0.8 }, { step: 1, value: 0.82 }],
      roc_auc: [{ step: 0, value: 0.81 }],
      "shap/contract": [{ step: 0, value: 0.9 }],
      "shap/tenure": [{ step: 0, value: 0.4 }],
      train_binary_logloss: [{ step: 1, value: 0.6 }, { step: 2, value: 0.5 }, { step: 4, value: 0.45 }],
    });
    const run = await store.getRun(id);
    expect(run?.metrics.train_binary_logloss).toBe(0.45); // the latest round is the run's value
    expect(shapImportanceOf(run!.metrics)).toEqual([["contract", 0.9], ["tenure", 0.4]]);
    await expect(t.metricHistory("nope")).rejects.toThrow(/no run nope/);
    await store.close();
  });
});
