// The application operations on a real project: one workspace (SQLite store, artifact folder, DuckDB lake in a temp
// folder), push ingest, table history / diff / profile / preview, lineage of a table, a model and a logged prediction.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushProject } from "../cli/test-helpers/push-server.js";
import { PredictionLog } from "../monitor/prediction-log.js";
import { loadProject, type Project } from "../project/load-project.js";
import { ids } from "../records.js";
import { pushRecords } from "./ingest.js";
import { pushSchemaPolicies } from "./ingest-check.js";
import { lineageGraph, lineageOfRef } from "./lineage.js";
import { diffVersions, listTables, previewTable, profileTable, requireVersion, resolveTableRef, tableDetail, vacuumTables } from "./tables.js";
import { Workspace } from "./workspace.js";

const ndjson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";

describe("application operations", () => {
  let project: Project;
  let ws: Workspace;
  beforeAll(() => {
    project = loadProject(pushProject(["  - name: orders", "  - name: accounts", "    key: [id]"].join("\n")));
    ws = new Workspace(project);
  });
  afterAll(() => ws.close());

  it("opens each store once, on first use, and closes once; a closed workspace refuses use", async () => {
    const other = new Workspace(project);
    expect(fs.existsSync(project.paths.metadata)).toBe(false);
    const [a, b] = await Promise.all([other.meta(), other.meta()]);
    expect(a).toBe(b);
    expect(await other.lake()).toBe(await other.lake());
    const lake = await other.lake();
    const full = await other.withLake();
    expect(full.lake).toBe(lake);
    expect(full.registry).toBe(a.registry);
    expect(full.executor.kind).toBe("local"); // a real executor, not a getter that throws
    await Promise.all([other.close(), other.close()]);
    await other.close();
    expect(() => other.meta()).toThrow("closed");
    await expect(lake.query("SELECT 1 AS x")).rejects.toThrow();
    // Workspace.use closes what the body opened, also when the body fails.
    let used: Workspace | undefined;
    await expect(Workspace.use(project, async (w) => ((used = w), await w.lake(), Promise.reject(new Error("boom"))))).rejects.toThrow("boom");
    expect(() => used!.lake()).toThrow("closed");
  });

  it("pushes NDJSON into bronze under the schema policy, once per batch id, upserting a keyed source", async () => {
    const lake = await ws.lake();
    const policy = pushSchemaPolicies(project).get("orders")!;
    const first = await pushRecords(lake, project, "orders", ndjson([{ id: 1, amount: 9.5 }, { id: 2, amount: 3 }]), { policy, batchId: "b1" });
    expect(first).toMatchObject({ table: "bronze.orders", version: 1, duplicate: false, rowsIn: 2, rowsOut: 2, rowsQuarantined: 0 });
    expect(await pushRecords(lake, project, "orders", ndjson([{ id: 1, amount: 9.5 }, { id: 2, amount: 3 }]), { policy, batchId: "b1" })).toMatchObject({ version: null, duplicate: true });
    await expect(pushRecords(lake, project, "orders", ndjson([{ id: 3, amount: "lots" }]), { policy })).rejects.toMatchObject({ code: "validation_error" });
    const second = await pushRecords(lake, project, "orders", `${JSON.stringify({ id: 3, amount: 1.25 })}\n{not json\n`, { policy });
    expect(second).toMatchObject({ version: 2, rowsOut: 1, rowsQuarantined: 1 });
    // A batch without one readable line writes nothing and says why, with the lines' reasons.
    const refused = await pushRecords(lake, project, "orders", "{not json\n{nor this\n", { policy });
    expect(refused).toMatchObject({ version: null, duplicate: false, rowsIn: 2, rowsOut: 0, rowsQuarantined: 0 });
    expect(refused.notCommitted).toMatch(/no version written: none of the 2 records/);
    expect(refused.reasons?.map((r) => r.line)).toEqual([1, 2]);
    expect(refused.quarantineTable).toBeUndefined();
    await pushRecords(lake, project, "accounts", ndjson([{ id: 1, name: "a" }]), { policy: "fail" });
    const upsert = await pushRecords(lake, project, "accounts", ndjson([{ id: 1, name: "b" }]), { policy: "fail" });
    expect(upsert.version).toBe(2);
    expect(await lake.query("SELECT name FROM bronze.accounts")).toEqual([{ name: "b" }]);
  });

  it("answers table history, diff, profile and preview, with a NotFoundError naming the versions there are", async () => {
    const lake = await ws.lake();
    expect((await listTables(lake)).map((t) => t.table)).toEqual(["bronze.accounts", "bronze.orders", "bronze.orders__quarantine"]);
    const detail = await tableDetail(lake, "bronze.orders");
    expect(detail.current).toMatchObject({ version: 2, rowCount: 3 });
    expect(detail.history.map((h) => h.version)).toEqual([2, 1]);
    const diff = await diffVersions(lake, "bronze.orders", { key: ["id"] });
    expect(diff).toMatchObject({ from: 1, to: 2, rowCount: { from: 2, to: 3, delta: 1 }, rows: { added: 1, removed: 0, changed: 0 } });
    await expect(diffVersions(lake, "bronze.orders", { from: 7 })).rejects.toMatchObject({ code: "not_found", message: "bronze.orders has no version 7", hint: expect.stringContaining("versions: 1, 2") });
    await expect(tableDetail(lake, "bronze.nothing")).rejects.toMatchObject({ code: "not_found" });
    const profile = await profileTable(lake, "bronze.orders", 1);
    expect(profile.rowCount).toBe(2);
    const amount = profile.columns.find((c) => c.name === "amount")!;
    expect(amount).toMatchObject({ nulls: 0, min: 3, max: 9.5 });
    const preview = await previewTable(lake, "bronze.orders", undefined, 2);
    expect(preview.rows).toHaveLength(2);
    expect(preview.columns).toContain("amount");
    expect(await resolveTableRef(lake, "bronze.orders")).toEqual({ table: "bronze.orders", version: 2 });
    await expect(requireVersion(lake, "bronze.orders", 3)).rejects.toMatchObject({ code: "not_found" });
  });

  it("traces a model version and a logged prediction back to the table version they came from", async () => {
    const { meta, registry } = await ws.meta();
    const lake = await ws.lake();
    const table = await lake.current("bronze.orders");
    await meta.createRun({ id: "run-1", experiment: "e", name: "r", status: "finished", params: {}, metrics: {}, tags: {}, artifacts: [], startedAt: new Date().toISOString(), endedAt: null, durationMs: null, error: null, datasetId: "ds-1", parentRunId: null } as never);
    await meta.saveDataset({ id: "ds-1", table: { table: table!.table, version: table!.version }, contentHash: table!.contentHash, features: ["amount"], target: "id", task: "regression", split: { kind: "hash", testFraction: 0.2, seed: 1, stratify: false, trainRows: 2, testRows: 1 }, createdAt: new Date().toISOString() });
    await meta.addLineage([{ from: ids.table(table!), to: ids.dataset("ds-1"), kind: "derived_from" } as never]);
    const mv = await registry.register({
      name: project.config.registry.model, runId: "run-1", datasetId: "ds-1", datasetHash: table!.contentHash, artifact: new Uint8Array([1]),
      signature: { inputs: [{ name: "amount", type: "number", nullable: false }], output: { task: "regression" } }, metrics: {},
    });
    const model = await lineageOfRef(ws, `${mv.name}@${mv.version}`);
    expect(model).toMatchObject({ kind: "model", run: { id: "run-1" }, dataset: { id: "ds-1", table: "bronze.orders@2" }, tables: { table: "bronze.orders", version: 2 } });
    const graph = await lineageGraph(ws, `${mv.name}@${mv.version}`);
    expect(graph.nodes.map((n) => n.kind).sort()).toEqual(["dataset", "model", "run", "table"]);
    expect((await lineageGraph(ws, undefined)).root).toBe(ids.model(mv)); // default: the newest version when none is served
    await expect(lineageGraph(ws, "bronze.orders@9")).rejects.toMatchObject({ code: "not_found" });

    const log = new PredictionLog({ dir: project.paths.predictions, sampleRate: 1 });
    log.log({ id: "p-42", model: mv.name, version: mv.version, alias: null, inputs: { amount: 2 }, output: { prediction: 1.5 } as never, latencyMs: 1, at: new Date().toISOString() });
    await log.close();
    const traced = await lineageOfRef(ws, "prediction:p-42");
    expect(traced).toMatchObject({ kind: "prediction", prediction: { id: "p-42", inputs: { amount: 2 } }, model: { version: mv.version }, dataset: { id: "ds-1" } });
    await expect(lineageOfRef(ws, "prediction:nope")).rejects.toMatchObject({ code: "not_found", details: { path: "id" } });
    const pg = await lineageGraph(ws, "prediction:p-42");
    expect(pg.root).toBe("prediction:p-42");
    expect(pg.edges).toContainEqual({ from: ids.model(mv), to: "prediction:p-42", kind: "predicted_by" });
    expect(pg.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(["prediction:p-42", ids.model(mv), ids.dataset("ds-1")]));

    // Vacuum keeps the version a registered model was trained on, whatever `keep` says.
    const [report] = await vacuumTables(lake, meta, { table: "bronze.orders", keep: 1, dryRun: true });
    expect(report.keptVersions).toContain(2);
    expect(fs.existsSync(path.join(project.paths.lake, "tables"))).toBe(true);
  });
});
