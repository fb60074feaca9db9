// Tokens with names and scopes, and the Host allow-list, over real HTTP (the node fast path of /predict included).
import http from "node:http";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeedbackJoiner } from "../monitor/feedback.js";
import { createApp } from "./app.js";
import { Authenticator } from "./auth.js";
import { HostCheck, isLoopback } from "./host-check.js";
import { startServer, type RunningServer } from "./server.js";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";

/** A raw request with a chosen Host header, which fetch does not allow. */
function send(url: string, p: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: p, method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text.startsWith("{") ? JSON.parse(text) : text }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

const predictBody = JSON.stringify({ records: [goodRecord()] });
const json = { "content-type": "application/json" };

describe("Authenticator", () => {
  const auth = new Authenticator([
    { name: null, token: "shared-secret", scopes: "all" },
    { name: "ci", token: "ci-secret", scopes: new Set(["promote"]) },
  ]);

  it("identifies each token and nothing else", () => {
    expect(auth.identify("Bearer ci-secret")?.name).toBe("ci");
    expect(auth.identify("bearer   shared-secret")?.scopes).toBe("all");
    for (const bad of [undefined, "", "Bearer", "Bearer ci-secret2", "Basic ci-secret", "ci-secret"]) expect(auth.identify(bad), String(bad)).toBeNull();
    expect(auth.predictNeedsToken).toBe(false);
  });

  it("answers 401 for who-are-you and 403 naming the scope for not-allowed", () => {
    expect(() => auth.require("Bearer nope", "promote")).toThrow(/missing or wrong API token/);
    expect(() => auth.require("Bearer ci-secret", "ingest")).toThrow(/token ci lacks the scope ingest/);
    expect(auth.require("Bearer shared-secret", "ingest").name).toBeNull();
    expect(() => new Authenticator([]).require("Bearer x", "read")).toThrow(/disabled/);
    expect(() => new Authenticator([{ name: "e", token: "", scopes: "all" }])).toThrow(/empty/);
  });
});

describe("scoped tokens over HTTP", () => {
  let server: RunningServer;
  const joiner = new FeedbackJoiner({ registry: new Registry(), targets: () => [churnModel(1).predictor.signature.output] });
  beforeAll(async () => {
    const app = createApp({
      models: { current: () => churnModel(1) },
      sink: joiner,
      feedback: (b) => joiner.handle(b),
      token: "shared-secret",
      tokens: [
        { name: "scorer", token: "scorer-secret", scopes: new Set(["predict"]) },
        { name: "labeller", token: "labeller-secret", scopes: new Set(["ingest"]) },
      ],
      reload: async () => null,
    });
    server = await startServer(app, { port: 0 });
  });
  afterAll(() => server.close());

  it("makes /predict and V2 infer need a token once a named token has the predict scope (fast path too)", async () => {
    const predict = (h: Record<string, string> = {}) => send(server.url, "/predict", { method: "POST", headers: { ...json, ...h }, body: predictBody });
    expect((await predict()).status).toBe(401);
    expect((await predict({ authorization: "Bearer labeller-secret" })).body).toMatchObject({ error: "forbidden", scope: "predict" });
    expect((await predict({ authorization: "Bearer scorer-secret" })).status).toBe(200);
    expect((await predict({ authorization: "Bearer shared-secret" })).status).toBe(200);
    const v2 = await send(server.url, "/v2/models/churn/infer", { method: "POST", headers: json, body: JSON.stringify({ inputs: [] }) });
    expect(v2.status).toBe(401);
  });

  it("lets a labeller post feedback but not reload, and checks its labels against the model's classes", async () => {
    const p = await send(server.url, "/predict", { method: "POST", headers: { ...json, authorization: "Bearer scorer-secret" }, body: predictBody });
    const id = p.body.ids[0] as string;
    const fb = (label: unknown) =>
      send(server.url, "/feedback", { method: "POST", headers: { ...json, authorization: "Bearer labeller-secret" }, body: JSON.stringify({ feedback: [{ id, label }] }) });
    for (const bad of ["Maybe", 42]) {
      const r = await fb(bad);
      expect(r.status, String(bad)).toBe(400);
      expect(r.body).toMatchObject({ error: "validation_error", path: "feedback[0].label" });
    }
    expect((await fb("Yes")).body).toEqual({ joined: 1, unknown: [] });
    const reload = await send(server.url, "/reload", { method: "POST", headers: { authorization: "Bearer labeller-secret" } });
    expect(reload.status).toBe(403);
    expect(reload.body.message).toMatch(/labeller lacks the scope promote/);
  });

  it("keeps /predict open when only the single shared token is configured (as before named tokens)", async () => {
    const open = await startServer(createApp({ models: { current: () => churnModel(1) }, token: "shared-secret" }), { port: 0 });
    try {
      expect((await send(open.url, "/predict", { method: "POST", headers: json, body: predictBody })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe("Host allow-list", () => {
  let server: RunningServer;
  const check = new HostCheck(["models.example.com"]);
  beforeAll(async () => {
    server = await startServer(createApp({ models: { current: () => churnModel(1) }, hostCheck: check }), { port: 0 });
    check.setPort(server.port);
  });
  afterAll(() => server.close());

  it("refuses a DNS-rebinding Host on every route, the /predict fast path included, and answers to its own names", async () => {
    const port = server.port;
    for (const host of ["attacker.example", `attacker.example:${port}`, `127.0.0.1.attacker.example:${port}`, `localhost:${port + 1}`]) {
      const h = await send(server.url, "/models", { headers: { host } });
      expect(h.status, host).toBe(403);
      expect(h.body).toMatchObject({ error: "host_not_allowed", path: "host" });
      const p = await send(server.url, "/predict", { method: "POST", headers: { ...json, host }, body: predictBody });
      expect(p.status, `predict ${host}`).toBe(403);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "localhost", `models.example.com:${port}`, "MODELS.example.com"]) {
      expect((await send(server.url, "/models", { headers: { host } })).status, host).toBe(200);
      expect((await send(server.url, "/predict", { method: "POST", headers: { ...json, host }, body: predictBody })).status, `predict ${host}`).toBe(200);
    }
  });

  it("never opens the dashboard API to other origins, even with serve.cors: \"*\"", async () => {
    const app = createApp({ models: { current: () => churnModel(1) }, corsOrigins: "*", mount: (hono) => void hono.get("/api/tables", (c) => c.json({ rows: [] })) });
    const api = await app.fetch(new Request("http://x/api/tables", { headers: { origin: "http://evil.example" } }));
    expect(api.status).toBe(200);
    expect(api.headers.get("access-control-allow-origin")).toBeNull();
    const models = await app.fetch(new Request("http://x/models", { headers: { origin: "http://evil.example" } }));
    expect(models.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("knows which addresses are loopback", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) expect(isLoopback(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.5", "example.com", "128.0.0.1"]) expect(isLoopback(h), h).toBe(false);
  });
});
