// The cascade data → training → deployment on a simulated day: each 6-hourly data run makes a new table version,
// which starts one training run, whose new model version starts one deployment run — once per upstream version,
// with a second scheduler on the same store starting nothing twice. The store and its claims are real (SQLite).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ManualClock } from "../flow/clock.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { orchestrationOf } from "../store/orchestration.js";
import { Scheduler, type ScheduledRun } from "./scheduler.js";

const opened: MetadataStore[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

describe("asset triggers", () => {
  it("cascades data → training → deployment once per upstream version over a simulated day", async () => {
    const url = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-cascade-")), "meta.db");
    const [metaA, metaB] = [await openMetadataStore(url), await openMetadataStore(url)];
    opened.push(metaA, metaB);
    const versions: Record<string, number> = { "gold.churn_training": 1 };
    const started: string[] = [];
    const clock = new ManualClock("2026-01-01T00:30:00Z");
    const scheduler = (meta: MetadataStore, name: string) =>
      new Scheduler({
        meta, project: "churn", clock, claimedBy: name,
        schedules: [{ pipeline: "data", cron: "0 */6 * * *", timezone: "UTC", catchup: false }],
        assetTriggers: [
          { pipeline: "training", assets: ["gold.churn_training"] },
          { pipeline: "deployment", assets: ["model:churn@production"] },
        ],
        assetVersion: async (asset) => (versions[asset] === undefined ? null : String(versions[asset])),
        assetClaims: orchestrationOf(meta),
        startRun: async (run: ScheduledRun) => {
          started.push(`${run.pipeline}:${run.trigger}${run.assets ? `:${run.assets.map((a) => `${a.asset}@${a.version}`).join(",")}` : ""}`);
          if (run.pipeline === "data") versions["gold.churn_training"]++;
          if (run.pipeline === "training") versions["model:churn@production"] = (versions["model:churn@production"] ?? 0) + 1;
          return { status: "succeeded" };
        },
      });
    const a = scheduler(metaA, "a");
    const b = scheduler(metaB, "b");
    for (let hour = 0; hour < 24; hour += 6) {
      await a.fireDue();
      await b.fireDue();
      clock.set(new Date(Date.parse("2026-01-01T06:30:00Z") + hour * 3_600_000));
    }
    expect(started.filter((s) => s.startsWith("data:"))).toHaveLength(4);
    expect(started.filter((s) => s.startsWith("training:"))).toEqual([
      "training:asset:gold.churn_training@2", "training:asset:gold.churn_training@3", "training:asset:gold.churn_training@4", "training:asset:gold.churn_training@5",
    ]);
    expect(started.filter((s) => s.startsWith("deployment:"))).toEqual([
      "deployment:asset:model:churn@production@1", "deployment:asset:model:churn@production@2", "deployment:asset:model:churn@production@3", "deployment:asset:model:churn@production@4",
    ]);
    // Each data run is followed by its training and its deployment, in order.
    expect(started.slice(0, 3).map((s) => s.split(":")[0])).toEqual(["data", "training", "deployment"]);
  });
});
