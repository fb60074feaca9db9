// The limit a serving process is measured against: bare node:http that reads the POST body, parses it as JSON and
// answers a fixed JSON object (no validation, no model, no metrics, no log). PORT=8820 [WORKERS=n] node bench/serve/bare.mjs
// WORKERS > 1 runs that many processes on the port with node:cluster, as `millrace serve --workers n` does.
import cluster from "node:cluster";
import { createServer } from "node:http";

const workers = Number(process.env.WORKERS ?? 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  // The bench stops the whole process group: each worker gets the signal itself; the primary waits for them.
  let alive = workers;
  cluster.on("exit", () => --alive === 0 && process.exit(0));
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
  });
} else {
  const answer = JSON.stringify({ predictions: [{ label: "No", probabilities: { No: 0.9, Yes: 0.1 } }], ids: ["0"] });
  const length = String(Buffer.byteLength(answer));
  const server = createServer((req, res) => {
    if (req.method === "GET") return void res.end("{}"); // readiness probe of the bench
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": length });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT ?? 8820), "127.0.0.1");
  if (cluster.isWorker) cluster.worker?.on("error", () => undefined);
  process.on("SIGTERM", () => (cluster.isWorker ? process.exit(0) : server.close(() => process.exit(0))));
}
