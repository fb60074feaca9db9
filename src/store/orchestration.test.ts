// Orchestration records on both stores: pool slots free up when their run ends, partitions are claimed once and
// retaken after a failure, asset versions and cancel requests are claimed once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { MetadataStore } from "./metadata-store.js";
import { openMetadataStore } from "./open-metadata-store.js";
import { orchestrationOf } from "./orchestration.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, requireServices } from "./test-helpers/services.js";

const pgReason = await postgresUnavailable();
if (pgReason && requireServices) throw new Error(`${pgReason}; CI must run the PostgreSQL orchestration tests`);
const schema = freshSchema("orch_test");
const opened: MetadataStore[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
  if (!pgReason) await dropSchema(schema);
});

const stores: [string, () => Promise<MetadataStore>][] = [
  ["sqlite", () => openMetadataStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-orch-")), "meta.db"))],
  ...(pgReason ? [] : [["postgres", () => openMetadataStore(`${postgresUrl}?schema=${schema}`)] as [string, () => Promise<MetadataStore>]]),
];

describe.each(stores)("orchestration records on %s", (_name, open) => {
  const run = (meta: MetadataStore, id: string, status: "running" | "succeeded" | "failed") =>
    meta.savePipelineRun({ id, project: "p", status, trigger: "manual", startedAt: new Date().toISOString(), endedAt: status === "running" ? null : new Date().toISOString(), summary: null });

  it("gives a pool's slot to one running run at a time, and frees it when that run ends", async () => {
    const meta = await open();
    opened.push(meta);
    const o = orchestrationOf(meta);
    const pool = `training-${Math.random()}`;
    await run(meta, "r1", "running");
    expect(await o.takePoolSlot(pool, 1, "r1")).toBe(0);
    await run(meta, "r2", "running");
    expect(await o.takePoolSlot(pool, 1, "r2")).toBeNull();
    expect(await o.takePoolSlot(pool, 2, "r2")).toBe(1);
    expect(await o.poolSlotsInUse(pool)).toBe(2);
    await run(meta, "r1", "succeeded");
    expect(await o.poolSlotsInUse(pool)).toBe(1);
    await run(meta, "r3", "running");
    expect(await o.takePoolSlot(pool, 2, "r3")).toBe(0);
    await o.placeRun("r3", "training", null);
    expect(await o.activeRuns("p", "training")).toEqual(["r3"]);
    expect(await o.requestCancel("r3")).toBe(true);
    expect(await o.cancelRequested("r3")).toBe(true);
    expect(await o.requestCancel("r1")).toBe(false);
  });

  it("claims a partition once, retakes it after a failure, and claims an asset version once", async () => {
    const meta = await open();
    opened.push(meta);
    const o = orchestrationOf(meta);
    const key = { project: "p", pipeline: `daily-${Math.random()}`, partition: "2026-01-01" };
    expect(await o.claimPartition({ ...key, runId: "a" })).toBe(true);
    expect(await o.claimPartition({ ...key, runId: "b" })).toBe(false);
    await o.finishPartition({ ...key, runId: "a", status: "failed" });
    expect(await o.claimPartition({ ...key, runId: "c" })).toBe(true);
    await o.finishPartition({ ...key, runId: "c", status: "succeeded" });
    expect(await o.claimPartition({ ...key, runId: "d" })).toBe(false);
    expect((await o.partitions("p", key.pipeline)).map((x) => [x.partition, x.status, x.runId])).toEqual([["2026-01-01", "succeeded", "c"]]);
    const asset = { project: "p", pipeline: key.pipeline, asset: "gold.t", version: "3", runId: "x" };
    expect(await o.claimAsset(asset)).toBe(true);
    expect(await o.claimAsset({ ...asset, runId: "y" })).toBe(false);
    expect(await o.claimAsset({ ...asset, version: "4", runId: "y" })).toBe(true);
  });
});
