import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FolderArtifactStore } from "../store/artifact-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { Registry } from "./registry.js";

async function registry() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-reg-"));
  const store = await openMetadataStore(path.join(dir, "meta.db"));
  return { store, registry: new Registry(store, new FolderArtifactStore(path.join(dir, "artifacts"))) };
}

const req = (runId: string) => ({
  name: "churn",
  runId,
  datasetId: "d1",
  datasetHash: "h1",
  artifact: new TextEncoder().encode(`model of ${runId}`),
  signature: { inputs: [{ name: "tenure", type: "number" as const, nullable: false }], output: { task: "binary" as const, classes: ["No", "Yes"] } },
  metrics: { roc_auc: 0.84 },
});

describe("Registry", () => {
  it("registers versions with artifact and lineage, resolves aliases and rolls back with an audit trail", async () => {
    const { store, registry: r } = await registry();
    const v1 = await r.register(req("run-a"));
    const v2 = await r.register(req("run-b"));
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(new TextDecoder().decode(await r.loadArtifact(v2))).toBe("model of run-b");
    expect(await store.lineageInto("model:churn@2")).toEqual([
      { from: "dataset:d1", to: "model:churn@2", kind: "trained_on" },
      { from: "run:run-b", to: "model:churn@2", kind: "registered_from" },
    ]);
    await r.setAlias("churn", "production", 1, { actor: "pipeline", reason: "first" });
    await r.setAlias("churn", "production", 2, { actor: "pipeline", reason: "better" });
    expect((await r.resolve("churn", "production")).version).toBe(2);
    expect((await r.resolve("churn", "1")).version).toBe(1);
    const t = await r.rollback("churn", "production", { actor: "alice", reason: "v2 misbehaves" });
    expect(t).toMatchObject({ fromVersion: 2, toVersion: 1, actor: "alice" });
    expect((await r.aliasVersion("churn", "production"))?.version).toBe(1);
    await store.close();
  });

  it("gives clear errors for unknown versions, aliases and bad alias names", async () => {
    const { store, registry: r } = await registry();
    await expect(r.resolve("churn", "production")).rejects.toThrow('model churn has no version with alias "production"');
    await expect(r.get("churn", 9)).rejects.toThrow("model churn has no version 9");
    await r.register(req("run-a"));
    await expect(r.setAlias("churn", "bad alias!", 1, { actor: "x", reason: "y" })).rejects.toThrow('invalid alias "bad alias!"');
    await expect(r.setAlias("churn", "production", 5, { actor: "x", reason: "y" })).rejects.toThrow("no version 5");
    await expect(r.rollback("churn", "production", { actor: "x", reason: "y" })).rejects.toThrow("no earlier version");
    await store.close();
  });
});

describe("Registry stages and archive", () => {
  it("derives MLflow stages, archives with audited alias removal, and refuses aliases on archived versions", async () => {
    const { store, registry: r } = await registry();
    await r.register(req("run-a"));
    await r.register(req("run-b"));
    await r.setAlias("churn", "production", 1, { actor: "t", reason: "first" });
    await r.setAlias("churn", "staging", 2, { actor: "t", reason: "try" });
    expect(Registry.stageOf(await r.get("churn", 1))).toBe("Production");
    expect(Registry.stageOf(await r.get("churn", 2))).toBe("Staging");
    const { aliasesRemoved: moves, transition } = await r.archive("churn", 1, { actor: "alice", reason: "superseded" });
    expect(transition).toMatchObject({ version: 1, archived: true, actor: "alice", reason: "superseded" });
    expect((await r.archive("churn", 1, { actor: "alice", reason: "twice" })).transition).toBeNull();
    expect(moves.map((m) => [m.alias, m.fromVersion, m.toVersion])).toEqual([["production", 1, null]]);
    expect(Registry.stageOf(await r.get("churn", 1))).toBe("Archived");
    await expect(r.setAlias("churn", "production", 1, { actor: "t", reason: "x" })).rejects.toThrow("archived");
    expect(await r.unarchive("churn", 1, { actor: "bob", reason: "needed" })).toMatchObject({ archived: false, actor: "bob" });
    expect(await r.unarchive("churn", 1, { actor: "bob", reason: "again" })).toBeNull();
    expect((await store.archiveTransitions("churn", 1)).map((t) => t.reason)).toEqual(["superseded", "needed"]);
    expect(Registry.stageOf(await r.get("churn", 1))).toBe("None");
    await store.close();
  });
});
