// Run control over HTTP on a real `millrace serve` with an API token: trigger a pipeline (it runs in its own
// process), watch its tasks go running → succeeded through the dashboard API while it runs, read its task logs;
// without the token the POSTs are refused.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, startServe } from "./cli.js";
import { executors, onExecutor } from "./worker-processes.js";

const TOKEN = "pipeline-http-test-token";

// The same tests with the triggered runs' tasks in their process and on two `millrace worker` processes (bullmq).
describe.each(executors)("pipeline run control over HTTP (%s)", { timeout: 600_000 }, (executor) => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServe>>;
  const api = (p: string, init: RequestInit = {}, token: string | null = TOKEN) =>
    fetch(`${server.url}/api${p}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });

  beforeAll(async () => {
    dir = copyExample();
    fs.appendFileSync(path.join(dir, "millrace.yaml"), "\npipelines:\n  data: { tasks: [ingest, transform] }\n");
  });
  const { env, workers } = onExecutor(executor, () => dir, "pipeline-http");
  beforeAll(async () => {
    server = await startServe(dir, { ...env, MILLRACE_API_TOKEN: TOKEN });
  });
  afterAll(() => server?.proc.kill("SIGTERM"));
  /** Polls the dashboard API until the run's process has recorded its end. */
  const finished = async (runId: string): Promise<any> => {
    for (let i = 0; i < 1200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await api(`/pipeline-runs/${runId}`);
      if (r.status === 404) continue;
      const run = (await r.json()) as any;
      if (!run.live) return run;
    }
    throw new Error(`run ${runId} did not end`);
  };

  it("refuses to trigger without the token", async () => {
    const res = await api("/pipelines/data/trigger", { method: "POST" }, null);
    expect(res.status).toBe(401);
    const unknown = await api("/pipelines/nope/trigger", { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).hint).toContain("data");
  });

  it("triggers a run and shows its task states live, then its logs", async () => {
    const res = await api("/pipelines/data/trigger", { method: "POST" });
    expect(res.status).toBe(200);
    const { runId } = (await res.json()) as any;
    const seen = new Set<string>();
    let final: any;
    for (let i = 0; i < 1200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await api(`/pipeline-runs/${runId}`);
      if (r.status === 404) continue; // its process has not recorded it yet
      const run = (await r.json()) as any;
      for (const n of run.dag.nodes) seen.add(`${n.id}:${n.state}`);
      if (!run.live) {
        final = run;
        break;
      }
    }
    expect(final).toMatchObject({ id: runId, pipeline: "data", live: false, outcome: "succeeded" });
    // While it ran, the page saw tasks pending or running (from the logs), not "absent".
    expect([...seen].some((s) => s.endsWith(":running") || s.endsWith(":pending"))).toBe(true);
    expect([...seen].some((s) => s.endsWith(":absent"))).toBe(false);
    expect(final.dag.nodes.every((n: any) => n.state === "succeeded")).toBe(true);
    const logs = (await (await api(`/pipeline-runs/${runId}/logs?task=ingest:bronze.customers`)).json()) as any;
    expect(logs.lines[0].line).toBe("attempt 1 started");
    // The outcome is the last line; with workers, the line saying which worker took the job comes before it.
    const outcome = logs.lines.map((l: any) => l.line).filter((l: string) => !l.startsWith("running on worker "));
    expect(outcome.at(-1)).toMatch(/^succeeded in \d+ ms/);
    // The run's process queued its tasks where the serve's executor says: on a worker with bullmq.
    const on = logs.lines.filter((l: any) => l.line.startsWith("running on worker ")).map((l: any) => l.line.split(" ")[3]);
    expect(on).toEqual(executor === "local" ? [] : [expect.toBeOneOf(workers.map((w) => w.id()))]);
    const cancel = await api(`/pipeline-runs/${runId}/cancel`, { method: "POST" });
    expect(await cancel.json()).toMatchObject({ runId, requested: false });
  });

  it("retries a failed run: the failed model runs again, what had succeeded is reused; a succeeded run is refused", async () => {
    const mart = path.join(dir, "models/gold/mart_churn_by_contract.sql");
    const good = fs.readFileSync(mart, "utf8");
    fs.writeFileSync(mart, `${good}\nWHERE no_such_column > 0\n`);
    const failedRun = (await (await api("/pipelines/data/trigger", { method: "POST" })).json()) as any;
    const failed = await finished(failedRun.runId);
    expect(failed.outcome).toBe("failed");
    expect(failed.dag.nodes.find((n: any) => n.id === "transform:gold.mart_churn_by_contract").state).toBe("failed");

    const refused = await api(`/pipeline-runs/${failedRun.runId}/retry`, { method: "POST" }, null);
    expect(refused.status).toBe(401);
    fs.writeFileSync(mart, good);
    const res = await api(`/pipeline-runs/${failedRun.runId.slice(0, 8)}/retry`, { method: "POST" });
    expect(res.status).toBe(200);
    const retry = (await res.json()) as any;
    expect(retry).toMatchObject({ pipeline: "data", retryOf: failedRun.runId });
    const done = await finished(retry.runId);
    expect(done.outcome).toBe("succeeded");
    expect(done.dag.nodes.find((n: any) => n.id === "transform:gold.mart_churn_by_contract").state).toBe("succeeded");
    // The tables the failed run had built are up to date: reused, not rebuilt.
    expect(done.tables.reused).toBeGreaterThan(0);

    const again = await api(`/pipeline-runs/${retry.runId}/retry`, { method: "POST" });
    expect(again.status).toBe(400);
    const body = (await again.json()) as any;
    expect(body.path).toBe("id");
    expect(body.message).toContain("only a failed or cancelled run can be retried");
  });
});
