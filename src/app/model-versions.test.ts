// The registry operations on a real SQLite store and artifact folder: input refused by field, every change audited.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "../registry/registry.js";
import { FolderArtifactStore } from "../store/artifact-store.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { archive, promote, removeAlias, rollback, versionText } from "./model-versions.js";

const req = (actor: string, reason?: string) => ({ actor, reason, defaultReason: "by test" });

describe("model version operations", () => {
  let store: MetadataStore;
  let registry: Registry;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-app-mv-"));
    store = await openMetadataStore(path.join(dir, "meta.db"));
    registry = new Registry(store, new FolderArtifactStore(path.join(dir, "artifacts")));
    for (const runId of ["a", "b"]) {
      await registry.register({
        name: "churn", runId, datasetId: "d", datasetHash: "h", artifact: new TextEncoder().encode(runId),
        signature: { inputs: [], output: { task: "binary", classes: ["No", "Yes"] } }, metrics: { roc_auc: 0.8 },
      });
    }
  });
  afterAll(() => store?.close());

  it("promotes and rolls back with the channel's default reason, refusing a version that is not a positive integer", async () => {
    expect(await promote(registry, "churn", "production", 1, req("alice"))).toMatchObject({ toVersion: 1, actor: "alice", reason: "by test" });
    expect(await promote(registry, "churn", "production", versionText("2"), req("alice", "v2 wins"))).toMatchObject({ fromVersion: 1, toVersion: 2, reason: "v2 wins" });
    for (const bad of ["2", 0, 1.5, versionText("two")]) await expect(promote(registry, "churn", "production", bad, req("a"))).rejects.toMatchObject({ code: "validation_error", details: { path: "version" } });
    await expect(promote(registry, "churn", "production", 1, req("a", 7 as unknown as string))).rejects.toMatchObject({ details: { path: "reason" } });
    expect(await rollback(registry, "churn", "production", req("bob"))).toMatchObject({ fromVersion: 2, toVersion: 1 });
    expect((await registry.aliasVersion("churn", "production"))?.version).toBe(1);
  });

  it("archives (taking its aliases, audited) and restores once; a repeat changes and records nothing", async () => {
    await promote(registry, "churn", "staging", 1, req("alice"));
    const a = await archive(registry, "churn", 1, undefined, req("carol", "label leak"));
    expect(a).toMatchObject({ version: 1, archived: true, changed: true, transition: { archived: true, actor: "carol", reason: "label leak" } });
    expect(a.aliasesRemoved.map((t) => t.alias).sort()).toEqual(["production", "staging"]);
    expect(await archive(registry, "churn", 1, false, req("carol"))).toMatchObject({ changed: false, transition: null, aliasesRemoved: [] });
    await expect(promote(registry, "churn", "production", 1, req("a"))).rejects.toThrow("archived");
    await expect(archive(registry, "churn", 1, "yes", req("a"))).rejects.toMatchObject({ details: { path: "restore" } });
    await expect(archive(registry, "churn", 9, true, req("a"))).rejects.toMatchObject({ code: "not_found" });
    expect(await archive(registry, "churn", 1, true, req("dave", "fixed"))).toMatchObject({ archived: false, changed: true });
    expect(await archive(registry, "churn", 1, true, req("dave"))).toMatchObject({ archived: false, changed: false });
    expect((await store.archiveTransitions("churn", 1)).map((t) => [t.archived, t.actor, t.reason])).toEqual([[true, "carol", "label leak"], [false, "dave", "fixed"]]);
    await promote(registry, "churn", "staging", 1, req("alice"));
    expect(await removeAlias(registry, "churn", "staging", req("erin"))).toMatchObject({ fromVersion: 1, toVersion: null, actor: "erin" });
  });
});
