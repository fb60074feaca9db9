// Child of bench/serve/log-share.mjs: one in-process server (no cluster) for a model file, logging predictions to
// LOG_DIR, run under --cpu-prof; exits (writing the profile) on SIGINT.
import { readFile } from "node:fs/promises";
const { createApp } = await import("../../dist/serve/app.js");
const { startServer } = await import("../../dist/serve/server.js");
const { loadModel } = await import("../../dist/learn/train.js");
const { PredictionLog } = await import("../../dist/monitor/prediction-log.js");
const predictor = loadModel(new Uint8Array(await readFile(process.env.MODEL)));
const served = { predictor, provenance: { model: "churn", version: 1, alias: "production", runId: "bench", datasetId: "wa_churn", datasetHash: "bench", artifactUri: "file://bench" } };
const log = new PredictionLog({ dir: process.env.LOG_DIR });
const server = await startServer(createApp({ models: { current: () => served }, sink: log, maxRecords: 10_000 }), { port: Number(process.env.PORT) });
process.on("SIGINT", async () => {
  await server.close();
  await log.close();
  process.exit(0);
});
