import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Run } from "../records.js";
import type { MetadataStore } from "./metadata-store.js";
import { openMetadataStore } from "./open-metadata-store.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, requireServices } from "./test-helpers/services.js";

const pgReason = await postgresUnavailable();
if (pgReason && requireServices) throw new Error(`${pgReason}; CI must run the PostgreSQL adapter tests`);
if (pgReason) console.warn(`skipping PostgreSQL metadata-store tests: ${pgReason}`);

const schema = freshSchema("meta_test");
const adapters: { name: string; url: () => string; skip: boolean }[] = [
  { name: "sqlite", url: () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-meta-")), "meta.db"), skip: false },
  { name: "postgres", url: () => `${postgresUrl}?schema=${schema}`, skip: pgReason !== null },
];

afterAll(async () => {
  if (!pgReason) await dropSchema(schema);
});

function run(id: string, over: Partial<Run> = {}): Run {
  return {
    id,
    experiment: "churn",
    name: id,
    status: "running",
    params: { lr: 0.1 },
    metrics: {},
    tags: {},
    artifacts: [],
    datasetId: null,
    parentRunId: null,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, Number(id.replace(/\D/g, "")) || 0)).toISOString(),
    endedAt: null,
    durationMs: null,
    ...over,
  };
}

describe.each(adapters)("metadata store on $name", ({ url, skip }) => {
  let store: MetadataStore;
  beforeAll(async () => {
    if (!skip) store = await openMetadataStore(url());
  });
  afterAll(async () => {
    if (!skip) await store.close();
  });

  it.skipIf(skip)("stores runs with params, tags, metric series and latest values", async () => {
    await store.createRun(run("r1"));
    await store.mergeParams("r1", { depth: 6 });
    await store.mergeTags("r1", { candidate: "gbdt" });
    await store.logMetrics("r1", [
      { key: "loss", value: 0.9, step: 0, at: "2026-01-01T00:00:00Z" },
      { key: "loss", value: 0.5, step: 1, at: "2026-01-01T00:00:01Z" },
      { key: "auc", value: 0.8, step: 0, at: "2026-01-01T00:00:01Z" },
    ]);
    // An older step arriving late must not overwrite the latest value.
    await store.logMetrics("r1", [{ key: "loss", value: 0.7, step: 0, at: "2026-01-01T00:00:02Z" }]);
    await store.addArtifact("r1", "file:///tmp/a.bin");
    await store.addArtifact("r1", "file:///tmp/a.bin");
    await store.updateRun("r1", { status: "finished", durationMs: 1234, endedAt: "2026-01-01T00:01:00Z" });
    const r = await store.getRun("r1");
    expect(r).toMatchObject({
      status: "finished",
      params: { lr: 0.1, depth: 6 },
      tags: { candidate: "gbdt" },
      metrics: { loss: 0.5, auc: 0.8 },
      artifacts: ["file:///tmp/a.bin"],
      durationMs: 1234,
    });
    const series = await store.metricHistory("r1", "loss");
    expect(series.map((p) => [p.step, p.value])).toEqual([[0, 0.9], [0, 0.7], [1, 0.5]]);
    expect(await store.getRun("nope")).toBeNull();
  });

  it.skipIf(skip)("lists runs sorted by a metric, runs without it last, children by parent", async () => {
    await store.createRun(run("s2", { metrics: { auc: 0.7 } }));
    await store.createRun(run("s3", { metrics: { auc: 0.9 }, parentRunId: "s2" }));
    await store.createRun(run("s4"));
    const desc = await store.listRuns({ sortByMetric: "auc", order: "desc" });
    expect(desc.map((r) => r.id)).toEqual(["s3", "r1", "s2", "s4"]);
    const asc = await store.listRuns({ sortByMetric: "auc", order: "asc", limit: 2 });
    expect(asc.map((r) => r.id)).toEqual(["s2", "r1"]);
    expect((await store.listRuns({ parentRunId: "s2" })).map((r) => r.id)).toEqual(["s3"]);
    expect((await store.listRuns({ parentRunId: null })).map((r) => r.id)).not.toContain("s3");
  });

  it.skipIf(skip)("allocates model versions and audits alias moves", async () => {
    const base = {
      name: "churn",
      runId: "r1",
      datasetId: "d1",
      datasetHash: "abc",
      artifactUri: "file:///x",
      signature: { inputs: [], output: { task: "binary" as const } },
      metrics: { roc_auc: 0.84 },
    };
    const v1 = await store.createModelVersion(base);
    const [v2, v3] = await Promise.all([store.createModelVersion(base), store.createModelVersion(base)]);
    expect(v1.version).toBe(1);
    expect([v2.version, v3.version].sort()).toEqual([2, 3]);
    await store.moveAlias("churn", "production", 1, { actor: "test", reason: "first" });
    const t = await store.moveAlias("churn", "production", 3, { actor: "test", reason: "better" });
    expect(t).toMatchObject({ fromVersion: 1, toVersion: 3, reason: "better" });
    expect(await store.getAlias("churn", "production")).toBe(3);
    expect((await store.getModelVersion("churn", 3))?.aliases).toEqual(["production"]);
    await store.moveAlias("churn", "production", null, { actor: "test", reason: "retire" });
    expect(await store.getAlias("churn", "production")).toBeNull();
    const history = await store.aliasTransitions("churn", "production");
    expect(history.map((h) => [h.fromVersion, h.toVersion])).toEqual([[null, 1], [1, 3], [3, null]]);
    expect((await store.listModelVersions("churn")).map((m) => m.version)).toEqual([3, 2, 1]);
  });

  it.skipIf(skip)("filters runs by metric conditions, keeps notes, archives versions, hard-deletes runs", async () => {
    const hits = await store.listRuns({ metricFilters: [{ key: "auc", op: ">=", value: 0.8 }], sortByMetric: "auc" });
    expect(hits.map((r) => r.id)).toEqual(["s3", "r1"]);
    expect((await store.listRuns({ metricFilters: [{ key: "auc", op: ">", value: 0.8 }, { key: "loss", op: "<", value: 1 }] })).map((r) => r.id)).toEqual([]);
    await store.updateRun("s4", { notes: "baseline, do not promote" });
    expect((await store.getRun("s4"))?.notes).toBe("baseline, do not promote");
    const archived = await store.setArchived("churn", 2, true, { actor: "alice", reason: "leaks the label" });
    expect(archived).toMatchObject({ name: "churn", version: 2, archived: true, actor: "alice", reason: "leaks the label" });
    expect((await store.getModelVersion("churn", 2))?.archived).toBe(true);
    await store.setArchived("churn", 2, false, { actor: "bob", reason: "fixed upstream" });
    expect((await store.getModelVersion("churn", 2))?.archived).toBeUndefined();
    await store.setArchived("churn", 2, true, { actor: "alice", reason: "again" });
    expect((await store.archiveTransitions("churn", 2)).map((t) => [t.archived, t.actor])).toEqual([[true, "alice"], [false, "bob"], [true, "alice"]]);
    expect(await store.archiveTransitions("churn", 1)).toEqual([]);
    expect((await store.getModelVersion("churn", 1))?.archived).toBeUndefined();
    const withExample = await store.createModelVersion({
      name: "ex", runId: "s4", datasetId: "d", datasetHash: "h", artifactUri: "file:///e", signature: { inputs: [], output: { task: "regression" } }, metrics: {}, inputExample: { tenure: 3, contract: "One year" },
    });
    expect((await store.getModelVersion("ex", withExample.version))?.inputExample).toEqual({ tenure: 3, contract: "One year" });
    const before = await store.countRuns();
    await store.addArtifact("s2", "file:///tmp/s2.bin");
    expect(await store.deleteRun("s2")).toEqual(["file:///tmp/s2.bin"]);
    expect(await store.getRun("s2")).toBeNull();
    expect(await store.countRuns()).toBe(before - 1);
    expect((await store.getRun("s3"))?.parentRunId).toBeNull();
    expect(await store.metricHistory("s2", "auc")).toEqual([]);
    expect((await store.referencedArtifacts()).has("file:///tmp/s2.bin")).toBe(false);
  });

  it.skipIf(skip)("keeps datasets, lineage and pipeline runs", async () => {
    const d = {
      id: "d1",
      table: { table: "gold.features", version: 2 },
      contentHash: "h",
      features: ["a", "b"],
      target: "y",
      task: "binary" as const,
      positive: "Yes",
      split: { kind: "holdout" as const, testFraction: 0.2, seed: 42, stratify: true, trainRows: 8, testRows: 2 },
      createdAt: "2026-01-01T00:00:00Z",
    };
    await store.saveDataset(d);
    await store.saveDataset(d);
    expect(await store.getDataset("d1")).toEqual(d);
    await store.addLineage([
      { from: "table:gold.features@2", to: "dataset:d1", kind: "trained_on" },
      { from: "dataset:d1", to: "run:r1", kind: "trained_on" },
    ]);
    await store.addLineage([{ from: "dataset:d1", to: "run:r1", kind: "trained_on" }]);
    expect(await store.lineageInto("run:r1")).toEqual([{ from: "dataset:d1", to: "run:r1", kind: "trained_on" }]);
    expect(await store.lineageOutOf("table:gold.features@2")).toHaveLength(1);
    await store.savePipelineRun({ id: "p1", project: "churn", status: "running", startedAt: "2026-01-01T00:00:00Z", endedAt: null, summary: null });
    await store.savePipelineRun({ id: "p1", project: "churn", status: "succeeded", startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T00:00:09Z", summary: { ok: 1 } });
    expect((await store.getPipelineRun("p1"))?.status).toBe("succeeded");
    expect(await store.getPipelineRun("nope")).toBeNull();
    expect(await store.listPipelineRuns("churn")).toEqual([
      { id: "p1", project: "churn", status: "succeeded", startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T00:00:09Z", summary: { ok: 1 } },
    ]);
  });

  it.skipIf(skip)("claims a schedule tick once, records its outcome, and keeps a pipeline run's trigger", async () => {
    const tick = (by: string) => ({ project: "churn", pipeline: "default", dueAt: "2026-01-01T06:00:00.000Z", runId: `run-${by}`, claimedBy: by, claimedAt: "2026-01-01T06:00:01.000Z" });
    const claims = await Promise.all([store.claimScheduleTick(tick("a")), store.claimScheduleTick(tick("b"))]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimScheduleTick(tick("c"))).toBe(false);
    await store.claimScheduleTick({ ...tick("a"), dueAt: "2026-01-01T00:00:00.000Z", runId: "run-early" });
    const winner = claims[0] ? "a" : "b";
    expect(await store.latestScheduleTick("churn", "default")).toMatchObject({ dueAt: "2026-01-01T06:00:00.000Z", runId: `run-${winner}`, status: "running", endedAt: null });
    await store.finishScheduleTick({ project: "churn", pipeline: "default", dueAt: "2026-01-01T06:00:00.000Z" }, { status: "failed", endedAt: "2026-01-01T06:05:00.000Z", error: "boom" });
    expect((await store.listScheduleTicks("churn")).map((t) => [t.dueAt, t.status, t.error ?? null])).toEqual([
      ["2026-01-01T06:00:00.000Z", "failed", "boom"],
      ["2026-01-01T00:00:00.000Z", "running", null],
    ]);
    expect(await store.latestScheduleTick("churn", "other")).toBeNull();
    await store.savePipelineRun({ id: "p-sched", project: "churn", status: "running", trigger: "schedule", startedAt: "2026-01-01T06:00:01Z", endedAt: null, summary: null });
    expect((await store.getPipelineRun("p-sched"))?.trigger).toBe("schedule");
    expect((await store.getPipelineRun("p1"))?.trigger).toBeUndefined();
  });
});
