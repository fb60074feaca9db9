// Bench server process: serves a Millrace model artifact with `createApp` + `startServer`, optionally clustered,
// logging predictions or not, hot-reloading when the alias file names another artifact.
//   ALIAS_FILE=path (its content: the artifact path to serve) PORT=8810 WORKERS=2 LOG_DIR=dir|"" [FAST_PATH=0] [LOG_ENCODE_NOW=1] [LOG_BATCH=n] node bench/serve/worker.mjs
import { readFile } from "node:fs/promises";
import { runClustered } from "../../dist/serve/cluster.js";

const env = process.env;
// GC_STATS=1: on exit, print this process's garbage collections since the last SIGUSR2 (count and pause total by kind).
if (env.GC_STATS === "1") {
  const { PerformanceObserver } = await import("node:perf_hooks");
  let gcs = [];
  new PerformanceObserver((l) => gcs.push(...l.getEntries().map((e) => [e.detail?.kind ?? 0, e.duration]))).observe({ entryTypes: ["gc"] });
  process.on("SIGUSR2", () => (gcs = []));
  process.on("exit", () => {
    const minor = gcs.filter(([k]) => k === 1);
    const other = gcs.filter(([k]) => k !== 1);
    const ms = (l) => l.reduce((a, [, d]) => a + d, 0).toFixed(1);
    process.stderr.write(`GC_STATS ${JSON.stringify({ minor: minor.length, minorMs: Number(ms(minor)), minorMaxMs: Math.max(0, ...minor.map(([, d]) => d)), other: other.length, otherMs: Number(ms(other)) })}\n`);
  });
}
const port = Number(env.PORT ?? 8810);
const workers = Number(env.WORKERS ?? 2);

await runClustered({ workers, metricsPort: env.METRICS_PORT ? Number(env.METRICS_PORT) : undefined }, async () => {
  // Imported here, not at the top: the cluster primary never serves, so it starts without loading any of this.
  const [{ createApp }, { startServer }, { ReloadingSource }, { PredictionLog }, { loadModel }] = await Promise.all([
    import("../../dist/serve/app.js"),
    import("../../dist/serve/server.js"),
    import("../../dist/serve/reload.js"),
    import("../../dist/monitor/prediction-log.js"),
    import("../../dist/learn/train.js"),
  ]);
  let n = 0;
  const source = new ReloadingSource(
    {
      resolve: async () => (await readFile(env.ALIAS_FILE, "utf8")).trim(),
      load: async (path) => ({
        predictor: loadModel(new Uint8Array(await readFile(path))),
        provenance: { model: "churn", version: ++n, alias: "production", runId: `bench-${n}`, datasetId: "wa_churn", datasetHash: "bench", artifactUri: `file://${path}` },
      }),
    },
    { intervalMs: Number(env.POLL_MS ?? 100) },
  );
  await source.start();
  // LOG_ENCODE_NOW=1 encodes each log line on the request path (the A/B of PredictionLog's encodeLater).
  const log = env.LOG_DIR ? new PredictionLog({ dir: env.LOG_DIR, encodeLater: env.LOG_ENCODE_NOW !== "1", ...(env.LOG_BATCH ? { batchSize: Number(env.LOG_BATCH) } : {}) }) : undefined;
  const app = createApp({ models: source, sink: log, maxRecords: 10_000 });
  // FAST_PATH=0 serves /predict through the Hono route only (the node:http fast path off), for the A/B row.
  const served = env.FAST_PATH === "0" ? { fetch: (r) => app.fetch(r), setDraining: (on) => app.setDraining(on) } : app;
  const server = await startServer(served, { port });
  return { registry: app.metrics.registry, close: async () => (source.stop(), await server.close(), await log?.close()) };
});
