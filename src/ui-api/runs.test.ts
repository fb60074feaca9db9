// A run's metric history over the dashboard API on a real SQLite store: per-fold series (cv_<metric>, a fold per
// step) go to the fold chart, metrics logged per boosting round to the learning curves, single values to neither.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { openMetadataStore } from "../store/open-metadata-store.js";
import type { UiData } from "./data.js";
import { runsRoutes } from "./runs.js";

describe("GET /runs/:id", () => {
  it("splits the run's metric history into fold series and learning curves", async () => {
    const meta = await openMetadataStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-runs-api-")), "meta.db"));
    try {
      const id = "run-curves";
      await meta.createRun({ id, experiment: "churn", name: "gbdt", status: "finished", params: {}, metrics: {}, tags: {}, artifacts: [], datasetId: null, parentRunId: null, startedAt: new Date().toISOString(), endedAt: null, durationMs: null });
      const at = new Date().toISOString();
      const loss = [0.69, 0.52, 0.44, 0.4, 0.38];
      await meta.logMetrics(id, [
        ...[0.81, 0.84, 0.83].map((value, step) => ({ key: "cv_roc_auc", value, step, at })),
        ...loss.map((value, i) => ({ key: "train_binary_logloss", value, step: i + 1, at })),
        ...loss.map((value, i) => ({ key: "valid_binary_logloss", value: value + 0.05, step: i + 1, at })),
        { key: "roc_auc", value: 0.85, step: 0, at },
        { key: "shap/tenure", value: 0.3, step: 0, at },
      ]);
      const api = new Hono();
      runsRoutes(api, { meta: async () => ({ meta }) } as unknown as UiData, () => undefined);
      const d = (await (await api.request(`/runs/${id}`)).json()) as any;
      expect(Object.keys(d.series)).toEqual(["cv_roc_auc"]);
      expect(d.series.cv_roc_auc.map((p: any) => p.value)).toEqual([0.81, 0.84, 0.83]);
      expect(Object.keys(d.curves).sort()).toEqual(["train_binary_logloss", "valid_binary_logloss"]);
      expect(d.curves.train_binary_logloss).toEqual(loss.map((value, i) => ({ step: i + 1, value })));
    } finally {
      await meta.close();
    }
  });
});
