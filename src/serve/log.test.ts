// Every 5xx and timeout the server produces is logged with its route: thrown bugs, timeouts, model failures on the
// node fast path, and the pino line's fields.
import net from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { createApp } from "./app.js";
import { RequestTimeoutError } from "./http-errors.js";
import { logFailure, routeOf } from "./log.js";
import { startServer, type RunningServer } from "./server.js";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";

describe("failure log", () => {
  const logged: Array<{ route: string | null; message: string }> = [];
  const broken = churnModel(1);
  const failing = { ...broken, predictor: { signature: broken.predictor.signature, predictRecords: () => { throw new Error("model exploded"); } } };
  const app = createApp({
    models: { current: () => failing },
    requestTimeoutMs: 50,
    onError: (e, req) => logged.push({ route: routeOf(req), message: e instanceof Error ? e.message : String(e) }),
    mount: (hono) => {
      hono.get("/bug", () => { throw new Error("null dereference"); });
      hono.get("/slow", async () => (await new Promise((r) => setTimeout(r, 300)), new Response("late")));
      hono.get("/bad", () => { throw new ValidationError("bad input", { path: "q" }); });
    },
  });
  let server: RunningServer;
  beforeAll(async () => void (server = await startServer(app, { port: 0 })));
  afterAll(() => server.close());

  it("logs a thrown bug (500) and a timeout (503) with their routes, and not a client's 400", async () => {
    logged.length = 0;
    expect((await fetch(`${server.url}/bug?secret=1`)).status).toBe(500);
    expect((await fetch(`${server.url}/slow`)).status).toBe(503);
    expect((await fetch(`${server.url}/bad`)).status).toBe(400);
    expect(logged).toEqual([
      { route: "GET /bug", message: "null dereference" },
      { route: "GET /slow", message: "request took longer than 50 ms" },
    ]);
  });

  it("logs a model failure on the node fast path of /predict", async () => {
    logged.length = 0;
    const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [goodRecord()] }) });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: "internal_error" });
    expect(logged).toEqual([{ route: "POST /predict", message: "model exploded" }]);
  });

  it("reports node's own 408 for a request whose headers never finish, and still answers it", async () => {
    const timeouts: Error[] = [];
    const slow = await startServer(createApp({ models: { current: () => churnModel(1) } }), { port: 0, requestTimeoutMs: 400, onRequestTimeout: (e) => timeouts.push(e) });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(slow.port, "127.0.0.1", () => socket.write("POST /predict HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n"));
        let text = "";
        socket.on("data", (d) => (text += d));
        socket.on("close", () => resolve(text));
        socket.on("error", reject);
      });
      expect(answer).toMatch(/^HTTP\/1.1 408 Request Timeout/);
      expect(timeouts.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["ERR_HTTP_REQUEST_TIMEOUT"]);
    } finally {
      await slow.close();
    }
  });

  it("writes one JSON line with the route, the status and the error's code", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
    logFailure(pino(sink), new RequestTimeoutError("request took longer than 30000 ms"), "POST /ingest/customers", 503);
    const line = JSON.parse(lines[0]) as Record<string, any>;
    expect(line).toMatchObject({ level: 50, route: "POST /ingest/customers", status: 503, error: { code: "timeout", message: "request took longer than 30000 ms" } });
  });
});
