// The serving process as millrace.yaml configures it: token resolution (an empty env is an error), the Host check
// against DNS rebinding, scoped tokens on the dashboard API and /predict, and the warning for a public, token-less bind.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { loadProject } from "../project/load-project.js";
import { startServeProcess, type ServeProcess } from "./serve-process.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** A fresh copy of examples/churn (no state) with `serve:` replaced by the given YAML lines. */
function project(serveYaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-serve-proc-"));
  fs.cpSync(path.join(repoRoot, "examples/churn"), dir, { recursive: true, filter: (src) => !src.includes(".millrace") && !src.includes("landing") });
  const yaml = path.join(dir, "millrace.yaml");
  fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("serve:\n  port: 8080", `serve:\n  port: 0\n${serveYaml}`));
  return dir;
}

/** A raw request with any Host header (fetch does not let a caller choose it, a rebinding page's browser does). */
function request(url: string, p: string, opts: { host?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; json: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: p, method: opts.method ?? "GET", headers: { ...(opts.host !== undefined ? { host: opts.host } : {}), ...opts.headers } },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("serve process security", () => {
  let sp: ServeProcess | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    await sp?.close();
    sp = undefined;
    process.env = { ...saved };
  });

  it("refuses to start with an empty MILLRACE_API_TOKEN instead of switching auth off or overriding serve.token", async () => {
    const dir = project("  token: yaml-secret-123");
    process.env.MILLRACE_API_TOKEN = "";
    const err = await startServeProcess(loadProject(dir), { port: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/MILLRACE_API_TOKEN is empty/);
    expect((err as ConfigError).hint).toMatch(/unset MILLRACE_API_TOKEN/);
    // Unset, the yaml token holds: the dashboard API needs it.
    delete process.env.MILLRACE_API_TOKEN;
    sp = await startServeProcess(loadProject(dir), { port: 0 });
    expect((await request(sp.server.url, "/api/overview")).status).toBe(401);
    expect((await request(sp.server.url, "/api/overview", { headers: { authorization: "Bearer yaml-secret-123" } })).status).toBe(200);
  });

  it("answers only to its own names on loopback: a DNS-rebinding Host gets a 403 on the dashboard API and /predict", async () => {
    sp = await startServeProcess(loadProject(project("  allowed_hosts: [millrace.internal]")), { port: 0 });
    const port = sp.server.port;
    expect(sp.warnings).toEqual([]);
    const evil = await request(sp.server.url, "/api/tables", { host: `attacker.example:${port}` });
    expect(evil.status).toBe(403);
    expect(evil.json).toMatchObject({ error: "host_not_allowed", path: "host" });
    expect((await request(sp.server.url, "/api/overview", { host: "attacker.example" })).status).toBe(403);
    const predict = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [{}] }) };
    expect((await request(sp.server.url, "/predict", { ...predict, host: `attacker.example:${port}` })).status).toBe(403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "localhost", `LOCALHOST:${port}`, `millrace.internal:${port}`]) {
      expect((await request(sp.server.url, "/api/overview", { host })).status, host).toBe(200);
    }
    expect((await request(sp.server.url, "/api/overview", { host: `localhost:${port + 1}` })).status).toBe(403);
    // No model yet: the fast path still answers for its own names (503, not a Host refusal).
    expect((await request(sp.server.url, "/predict", { ...predict, host: `localhost:${port}` })).status).toBe(503);
  });

  it("warns loudly when serving without a token on a non-loopback address, and not with one", async () => {
    sp = await startServeProcess(loadProject(project("")), { port: 0, host: "0.0.0.0" });
    expect(sp.warnings.join("\n")).toMatch(/WITHOUT AN API TOKEN/);
    // Bound to every interface, the server is reached under names it cannot know: no Host check unless allowed_hosts says.
    expect((await request(sp.server.url, "/health", { host: "203.0.113.7:80" })).status).toBe(503);
    await sp.close();
    process.env.MILLRACE_API_TOKEN = "env-secret-456";
    sp = await startServeProcess(loadProject(project("")), { port: 0, host: "0.0.0.0" });
    expect(sp.warnings).toEqual([]);
  });

  it("gives each named token its scopes: read opens the dashboard API, predict makes /predict need a token", async () => {
    process.env.MR_READER = "reader-secret-1";
    process.env.MR_CLIENT = "client-secret-2";
    const yaml = [
      "  tokens:",
      "    - { name: analyst, token_env: MR_READER, scopes: [read] }",
      "    - { name: scorer, token_env: MR_CLIENT, scopes: [predict] }",
    ].join("\n");
    sp = await startServeProcess(loadProject(project(yaml)), { port: 0 });
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await request(sp.server.url, "/api/overview")).status).toBe(401);
    const wrong = await request(sp.server.url, "/api/overview", { headers: bearer("client-secret-2") });
    expect(wrong.status).toBe(403);
    expect(wrong.json).toMatchObject({ error: "forbidden", scope: "read" });
    expect((await request(sp.server.url, "/api/overview", { headers: bearer("reader-secret-1") })).status).toBe(200);
    const predict = (headers: Record<string, string>) =>
      request(sp!.server.url, "/predict", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ records: [{}] }) });
    expect((await predict({})).status).toBe(401);
    expect((await predict(bearer("reader-secret-1"))).status).toBe(403);
    expect((await predict(bearer("client-secret-2"))).status).toBe(503); // admitted; no model is promoted yet
    // The dashboard's predict form needs the predict scope too (a read token cannot score around /predict's rule).
    const formPredict = (headers: Record<string, string>) =>
      request(sp!.server.url, "/api/models/churn/1/predict", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ records: [{}] }) });
    const byReader = await formPredict(bearer("reader-secret-1"));
    expect(byReader.status).toBe(403);
    expect(byReader.json).toMatchObject({ scope: "predict" });
    // The analyst may read but not push data.
    const push = await request(sp.server.url, "/ingest/customers", { method: "POST", headers: { ...bearer("reader-secret-1"), "content-type": "application/x-ndjson" }, body: '{"a":1}\n' });
    expect(push.status).toBe(403);
  });
});
