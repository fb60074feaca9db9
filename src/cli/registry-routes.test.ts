// Alias moves over real HTTP with scoped, named tokens: who may promote, what the audit records, and bodiless requests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "../registry/registry.js";
import { createApp } from "../serve/app.js";
import { startServer, type RunningServer } from "../serve/server.js";
import { churnModel } from "../serve/test-helpers/logistic.js";
import { FolderArtifactStore } from "../store/artifact-store.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { mountRegistryRoutes } from "./registry-routes.js";

const version = (runId: string) => ({
  name: "churn",
  runId,
  datasetId: "d1",
  datasetHash: "h1",
  artifact: new TextEncoder().encode(`model of ${runId}`),
  signature: { inputs: [{ name: "tenure", type: "number" as const, nullable: false }], output: { task: "binary" as const, classes: ["No", "Yes"] } },
  metrics: { roc_auc: 0.84 },
});

describe("registry routes", () => {
  let store: MetadataStore;
  let registry: Registry;
  let server: RunningServer;
  let moves = 0;
  const TOKENS = { admin: "admin-secret-1", deploy: "deploy-secret-2", client: "client-secret-3" };

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-routes-"));
    store = await openMetadataStore(path.join(dir, "meta.db"));
    registry = new Registry(store, new FolderArtifactStore(path.join(dir, "artifacts")));
    for (const run of ["a", "b", "c"]) await registry.register(version(run));
    await registry.setAlias("churn", "production", 1, { actor: "pipeline", reason: "first" });
    const app = createApp({
      models: { current: () => churnModel(1) },
      token: TOKENS.admin,
      tokens: [
        { name: "deploy-bot", token: TOKENS.deploy, scopes: new Set(["promote"]) },
        { name: "scoring-client", token: TOKENS.client, scopes: new Set(["predict"]) },
      ],
      mount: (hono, guard) => mountRegistryRoutes(hono, guard, registry, async () => void moves++),
    });
    server = await startServer(app, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  const call = (p: string, method: string, token: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${server.url}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
  const json = { "content-type": "application/json" };

  it("refuses a prediction client's promotion with a 403 naming the missing scope, and moves nothing", async () => {
    const res = await call("/models/churn/aliases/production", "POST", TOKENS.client, { body: JSON.stringify({ version: 2 }), headers: json });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "forbidden", scope: "promote", message: expect.stringContaining("scoring-client lacks the scope promote") });
    expect((await registry.aliasVersion("churn", "production"))?.version).toBe(1);
    expect((await call("/models/churn/aliases/production", "POST", "wrong-token", { body: "{}", headers: json })).status).toBe(401);
  });

  it("audits a named token's promotion as the token, whatever x-millrace-actor claims", async () => {
    const res = await call("/models/churn/aliases/production", "POST", TOKENS.deploy, {
      body: JSON.stringify({ version: 2, reason: "v2 wins" }),
      headers: { ...json, "x-millrace-actor": "someone-else" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ fromVersion: 1, toVersion: 2, actor: "token:deploy-bot", reason: "v2 wins" });
  });

  it("rolls back and removes an alias without any body or content type (not a 415)", async () => {
    await registry.setAlias("churn", "production", 3, { actor: "pipeline", reason: "third" });
    const rb = await call("/models/churn/aliases/production/rollback", "POST", TOKENS.deploy);
    expect(rb.status).toBe(200);
    expect(await rb.json()).toMatchObject({ fromVersion: 3, toVersion: 2, reason: "rolled back over HTTP" });
    await registry.setAlias("churn", "staging", 1, { actor: "pipeline", reason: "stage" });
    const del = await call("/models/churn/aliases/staging", "DELETE", TOKENS.admin, { headers: { "x-millrace-actor": "alice" } });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ actor: "http:alice", reason: "removed over HTTP" });
    expect(await registry.aliasVersion("churn", "staging")).toBeNull();
    // A body that is there must still be JSON.
    expect((await call("/models/churn/aliases/production/rollback", "POST", TOKENS.deploy, { body: "reason=x", headers: { "content-type": "text/plain" } })).status).toBe(415);
  });

  it("bounds the actor the shared token may claim: 200 characters are kept, 201 are a 400 naming the header", async () => {
    const ok = await call("/models/churn/aliases/production", "POST", TOKENS.admin, { body: JSON.stringify({ version: 1 }), headers: { ...json, "x-millrace-actor": "a".repeat(200) } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { actor: string }).actor).toBe(`http:${"a".repeat(200)}`);
    const long = await call("/models/churn/aliases/production", "POST", TOKENS.admin, { body: JSON.stringify({ version: 2 }), headers: { ...json, "x-millrace-actor": "a".repeat(6025) } });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ path: "x-millrace-actor" });
    expect((await registry.aliasVersion("churn", "production"))?.version).toBe(1);
  });

  it("archives and restores a version over HTTP: promote scope, audited as the token, 4xx naming the field", async () => {
    const url = "/models/churn/versions/2/archive";
    const before = moves;
    expect((await call(url, "POST", TOKENS.client, { body: "{}", headers: json })).status).toBe(403);
    await registry.setAlias("churn", "staging", 2, { actor: "pipeline", reason: "stage v2" });
    const res = await call(url, "POST", TOKENS.deploy, { body: JSON.stringify({ reason: "leaks the label" }), headers: json });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ name: "churn", version: 2, archived: true, changed: true, transition: { archived: true, actor: "token:deploy-bot", reason: "leaks the label" } });
    expect(body.aliasesRemoved.map((t: any) => [t.alias, t.toVersion])).toContainEqual(["staging", null]);
    expect((await registry.get("churn", 2)).archived).toBe(true);
    expect(moves).toBe(before + 1);
    // An archived version cannot be promoted; the refusal is a 400 that says how to restore it.
    const refused = await call("/models/churn/aliases/production", "POST", TOKENS.deploy, { body: JSON.stringify({ version: 2 }), headers: json });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).hint).toContain("--restore");
    const again = await call(url, "POST", TOKENS.deploy);
    expect(await again.json()).toMatchObject({ archived: true, changed: false, transition: null });
    for (const [bad, field] of [[{ restore: "yes" }, "restore"], [{ reason: 5 }, "reason"], [{ restor: true }, "restor"]] as const) {
      const r = await call(url, "POST", TOKENS.deploy, { body: JSON.stringify(bad), headers: json });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ path: field });
    }
    const notNumber = await call("/models/churn/versions/two/archive", "POST", TOKENS.deploy);
    expect(notNumber.status).toBe(400);
    expect(await notNumber.json()).toMatchObject({ path: "version" });
    expect((await call("/models/churn/versions/99/archive", "POST", TOKENS.deploy)).status).toBe(404);
    const restored = await call(url, "POST", TOKENS.admin, { body: JSON.stringify({ restore: true }), headers: { ...json, "x-millrace-actor": "carol" } });
    expect(await restored.json()).toMatchObject({ archived: false, changed: true, transition: { archived: false, actor: "http:carol", reason: "restored over HTTP" } });
    expect((await registry.get("churn", 2)).archived).toBeUndefined();
    expect((await store.archiveTransitions("churn", 2)).map((t) => [t.archived, t.actor])).toEqual([[true, "token:deploy-bot"], [false, "http:carol"]]);
  });
});
