// Labels posted to a clustered server (serve.workers: 2) join predictions made by either worker: the worker that
// receives POST /feedback asks its siblings for the ids it never served.
import http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample, millrace, startServe } from "./cli.js";

/** One request on its own connection, so the cluster's round-robin spreads requests over both workers. */
function post(url: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: "POST", agent: false, headers: { "content-type": "application/json", authorization: "Bearer t0k" } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("feedback on a clustered server", () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  afterAll(() => server?.proc.kill("SIGTERM"));

  it("joins every label whichever worker served the prediction", async () => {
    const dir = copyExample("churn");
    const run = millrace(["run", dir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    server = await startServe(dir, { MILLRACE_API_TOKEN: "t0k" }, ["--workers", "2"]);
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) {
      const r = await post(server.url, "/predict", { records: [server.example] });
      expect(r.status).toBe(200);
      ids.push(r.body.ids[0]);
    }
    const fb = await post(server.url, "/feedback", { feedback: ids.map((id, i) => ({ id, label: i % 2 ? "Yes" : "No" })) });
    expect(fb).toEqual({ status: 200, body: { joined: 16, unknown: [] } });
    // A label is joined once; an id nobody served stays unknown.
    const again = await post(server.url, "/feedback", { feedback: [{ id: ids[0], label: "No" }, { id: "never-served", label: "No" }] });
    expect(again.body).toEqual({ joined: 0, unknown: [ids[0], "never-served"] });
  });
});
