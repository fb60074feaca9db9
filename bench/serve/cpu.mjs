// Bench helper: CPU time per request of the serving handler in-process (no sockets, no load generator), with the
// prediction log off, on, and sampling: robust to a shared machine, where wall-clock req/s swings with other work.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../dist/serve/app.js";
import { PredictionLog } from "../../dist/monitor/prediction-log.js";

const provenance = { model: "churn", version: 1, alias: "production", runId: "bench", datasetId: "wa_churn", datasetHash: "bench", artifactUri: "mem://" };

/**
 * CPU µs per request (user + system, log flush included) for each sample rate (null = no log), over `n` requests per
 * round; the configurations take turns for `rounds` rounds and each keeps its best, so drifting load hits all alike.
 */
export async function cpuPerRequest(predictor, body, n, rates, rounds = 5) {
  const dir = mkdtempSync(join(tmpdir(), "millrace-cpu-"));
  const setups = rates.map((rate) => {
    const log = rate === null ? undefined : new PredictionLog({ dir, sampleRate: rate });
    return { log, app: createApp({ models: { current: () => ({ predictor, provenance }) }, sink: log }), best: Infinity };
  });
  const req = () => new Request("http://x/predict", { method: "POST", headers: { "content-type": "application/json" }, body });
  const round = async (s, count) => {
    await s.log?.flush();
    const c0 = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      const res = await s.app.fetch(req());
      if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
      await res.text();
    }
    await s.log?.flush();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / count;
  };
  for (const s of setups) await round(s, Math.min(n, 500)); // warm-up
  for (let r = 0; r < rounds; r++) for (const s of setups) s.best = Math.min(s.best, await round(s, n));
  for (const s of setups) await s.log?.close();
  rmSync(dir, { recursive: true, force: true });
  return setups.map((s) => s.best);
}
