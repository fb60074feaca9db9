// Moving aliases over HTTP (token-guarded, audited, picked up at once) and a champion/challenger canary from
// millrace.yaml, through the real CLI and server.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample, millrace, startServe } from "./cli.js";

describe("serving administration", () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  afterAll(() => server?.proc.kill("SIGTERM"));

  it("promotes, rolls back and removes aliases over HTTP, and splits traffic to a canary", async () => {
    const dir = copyExample("churn");
    const yaml = path.join(dir, "millrace.yaml");
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("serve:\n  port: 8080", "serve:\n  port: 8080\n  canary: { alias: challenger, percent: 50 }"));
    expect(millrace(["run", dir, "--json"]).code).toBe(0);
    expect(millrace(["run", dir, "--retrain", "--json"]).json.model.version).toBe(2);
    server = await startServe(dir, { MILLRACE_API_TOKEN: "t0k" });
    const auth = { authorization: "Bearer t0k", "content-type": "application/json", "x-millrace-actor": "alice" };
    const health = async () => ((await (await fetch(`${server!.url}/health`)).json()) as any).model?.version ?? null;
    const post = (p: string, body: unknown, headers: Record<string, string> = auth, method = "POST") => fetch(`${server!.url}${p}`, { method, headers, body: JSON.stringify(body) });

    expect((await post("/models/churn/aliases/production", { version: 2 }, { "content-type": "application/json" })).status).toBe(401);
    expect((await post("/models/churn/aliases/production", { version: "two" })).status).toBe(400);
    expect((await post("/models/churn/aliases/production", { version: 9 })).status).toBe(404);
    const moved = await post("/models/churn/aliases/production", { version: 2, reason: "v2 wins the offline eval" });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ fromVersion: 1, toVersion: 2, actor: "http:alice", reason: "v2 wins the offline eval" });
    expect(await health()).toBe(2);
    expect(await (await post("/models/churn/aliases/production/rollback", {})).json()).toMatchObject({ fromVersion: 2, toVersion: 1 });
    expect(await health()).toBe(1);

    // Canary: v2 as challenger answers about half of the requests; a sticky key always lands on the same side.
    expect((await post("/models/churn/aliases/challenger", { version: 2 })).status).toBe(200);
    const record = JSON.stringify({ records: [server.example] });
    const seen: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: record });
      const v = res.headers.get("x-millrace-version")!;
      seen[v] = (seen[v] ?? 0) + 1;
      await res.arrayBuffer();
    }
    expect(seen["1"]).toBeGreaterThan(60);
    expect(seen["2"]).toBeGreaterThan(60);
    const sticky = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json", "x-millrace-key": "customer-42" }, body: record });
      sticky.add(res.headers.get("x-millrace-version")!);
      await res.arrayBuffer();
    }
    expect(sticky.size).toBe(1);

    expect((await post("/models/churn/aliases/production", { reason: "retire" }, auth, "DELETE")).status).toBe(200);
    expect(await health()).toBe(1); // the last loaded model keeps serving; nothing is dropped
    const history = millrace(["models", "history", "churn", "-p", dir, "--json"]).json;
    expect(history.filter((h: any) => h.actor === "http:alice").length).toBeGreaterThanOrEqual(4);
  });
});
