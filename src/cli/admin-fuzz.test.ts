// Fuzz of the guarded surfaces over real HTTP: random Host, authorization and actor headers, methods, content types and
// bodies against /feedback, /reload and the alias routes of a server with scoped tokens and a Host allow-list. None may
// get a 5xx, every refusal is a JSON error, and no alias moves without a promote-scoped token.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Registry as Metrics } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeedbackJoiner } from "../monitor/feedback.js";
import { Registry } from "../registry/registry.js";
import { createApp } from "../serve/app.js";
import { HostCheck } from "../serve/host-check.js";
import { startServer, type RunningServer } from "../serve/server.js";
import { churnModel } from "../serve/test-helpers/logistic.js";
import { rng } from "../serve/test-helpers/rng.js";
import { FolderArtifactStore } from "../store/artifact-store.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { mountRegistryRoutes } from "./registry-routes.js";

const WEIRD = [null, true, 0, -1, 1.5, "", "x".repeat(3000), "Yes", "No", "Maybe", 42, [], {}, { a: 1 }, "\u0000", "\ud800", "😀"];

function send(url: string, p: string, method: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    // An explicit length: a GET or DELETE body would otherwise go out unframed and be read as the next request.
    const framed = body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
    const req = http.request({ host: u.hostname, port: u.port, path: p, method, headers: framed }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("fuzz of the guarded endpoints", () => {
  let store: MetadataStore;
  let server: RunningServer;
  let registry: Registry;
  const failures: unknown[] = [];
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-admin-fuzz-"));
    store = await openMetadataStore(path.join(dir, "meta.db"));
    registry = new Registry(store, new FolderArtifactStore(path.join(dir, "artifacts")));
    const sig = { inputs: [{ name: "tenure", type: "number" as const, nullable: false }], output: { task: "binary" as const, classes: ["No", "Yes"] } };
    for (const run of ["a", "b"]) await registry.register({ name: "churn", runId: run, datasetId: "d", datasetHash: "h", artifact: new Uint8Array([1]), signature: sig, metrics: {} });
    await registry.setAlias("churn", "production", 1, { actor: "pipeline", reason: "first" });
    const joiner = new FeedbackJoiner({ registry: new Metrics(), targets: () => [sig.output] });
    const hosts = new HostCheck([]);
    const app = createApp({
      models: { current: () => churnModel(1) },
      sink: joiner,
      feedback: (b) => joiner.handle(b),
      reload: async () => null,
      tokens: [
        { name: "scorer", token: "scorer-secret", scopes: new Set(["predict"]) },
        { name: "labeller", token: "labeller-secret", scopes: new Set(["ingest"]) },
      ],
      hostCheck: hosts,
      onError: (e) => failures.push(e),
      mount: (hono, guard) => mountRegistryRoutes(hono, guard, registry, async () => undefined),
    });
    server = await startServer(app, { port: 0 });
    hosts.setPort(server.port);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it("answers 3,000 hostile requests with 2xx or a JSON 4xx, never ≥ 500, and moves no alias", async () => {
    const r = rng(909);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const port = server.port;
    const total = 3000;
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const p = pick(["/feedback", "/reload", "/models/churn/aliases/production", "/models/churn/aliases/production/rollback", "/models/churn/aliases/x%00y", "/models/%2e%2e/aliases/production", "/predict"]);
        const method = pick(["POST", "POST", "DELETE", "PUT", "GET"]);
        const headers: Record<string, string> = {};
        const host = pick([`localhost:${port}`, `127.0.0.1:${port}`, "attacker.example", `attacker.example:${port}`, `[::1]:${port}`, "x".repeat(300), "localhost:1"]);
        headers.host = host;
        const auth = pick(["", "Bearer scorer-secret", "Bearer labeller-secret", "Bearer ", "Bearer scorer-secretX", "Basic abc", "Bearer " + "a".repeat(5000)]);
        if (auth) headers.authorization = auth;
        if (r() < 0.3) headers["x-millrace-actor"] = pick(["alice", "a".repeat(199 + Math.floor(r() * 3)), "a".repeat(6025), "\u00e9t\u00e9"]);
        const ct = pick(["application/json", "", "text/plain", "application/json; charset=utf-8", "application/x-ndjson"]);
        if (ct) headers["content-type"] = ct;
        const body = pick([
          undefined,
          "",
          JSON.stringify({ feedback: [{ id: "p", label: pick(WEIRD) }] }),
          JSON.stringify({ feedback: pick(WEIRD) }),
          JSON.stringify({ version: pick([1, 2, 99, -1, 1.5, "2", null]), reason: pick(WEIRD) }),
          JSON.stringify(pick(WEIRD)),
          "{not json",
          "\ufeff{}",
        ]);
        const res = await send(server.url, p, method, headers, body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) bad.push(`${i} ${method} ${p}: ${res.status} ${res.text.slice(0, 200)}`);
        else if (res.status >= 400) {
          let j: { error?: unknown; message?: unknown } = {};
          try {
            j = JSON.parse(res.text) as typeof j;
          } catch {
            /* reported below */
          }
          if (typeof j.error !== "string" || typeof j.message !== "string" || /\n\s+at /.test(res.text)) bad.push(`${i} ${method} ${p} ${res.status}: malformed error ${res.text.slice(0, 200)}`);
        }
        if (res.status === 200 && p.startsWith("/models/")) bad.push(`${i}: an alias moved without a promote token (${auth})`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    console.log("admin fuzz statuses", Object.fromEntries(statuses));
    expect(bad).toEqual([]);
    expect(failures).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(total);
    expect(statuses.get(403)).toBeGreaterThan(total * 0.3);
    expect((await registry.aliasVersion("churn", "production"))?.version).toBe(1);
  }, 120_000);
});
