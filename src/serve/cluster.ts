// Runs N serving workers on one port with node:cluster (one per core), restarting crashed ones and draining on SIGTERM.
import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import { availableParallelism } from "node:os";
import type { Registry } from "prom-client";
import { relayPeerQuestions } from "./cluster-peers.js";

export interface ClusterOptions {
  /** Worker processes; default one per core. 1 runs the worker in this process, without a cluster. */
  workers?: number;
  /** Told when a worker exits unexpectedly (it is restarted). */
  onWorkerExit?: (pid: number | undefined, code: number | null) => void;
  /** The primary serves every worker's metrics, summed, on this port (a worker's own /metrics shows only itself). */
  metricsPort?: number;
  metricsHost?: string;
}

/** What a worker's start function returns: its server, and the registry the primary aggregates. */
export interface WorkerHandle {
  close(): Promise<void>;
  registry?: Registry;
}

export interface ClusterHandle {
  isPrimary: boolean;
  /** Primary: asks every worker to drain and waits for them to exit. Worker: no-op. */
  stop(): Promise<void>;
}

/**
 * In the primary, forks the workers and returns; in a worker, runs `startWorker` (which calls startServer on the
 * shared port) and returns its stop function's handle. The primary does no HTTP work itself.
 */
export async function runClustered(opts: ClusterOptions, startWorker: () => Promise<WorkerHandle>): Promise<ClusterHandle> {
  const n = opts.workers ?? availableParallelism();
  if (n <= 1 || cluster.isWorker) {
    const running = await startWorker();
    if (running.registry && cluster.isWorker) {
      // Constructing one installs prom-client's IPC listener that answers the primary's metric requests.
      const { AggregatorRegistry } = await import("prom-client");
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([running.registry]);
    }
    const stop = async () => {
      await running.close();
    };
    if (!cluster.isWorker) {
      // A single-process server drains on SIGTERM / SIGINT too, like the cluster's workers.
      const onSignal = () => void stop().then(() => process.exit(0));
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
    } else {
      // When the whole process group is stopped the primary may be gone first; its IPC channel then fails with
      // EPIPE while the worker drains. That is expected, not a crash.
      cluster.worker?.on("error", () => undefined);
      process.on("SIGTERM", () => void stop().then(() => process.exit(0)));
      process.on("message", (m) => {
        if (m === "millrace:drain") void stop().then(() => process.exit(0));
      });
    }
    return { isPrimary: !cluster.isWorker, stop };
  }
  let stopping = false;
  const fork = () => cluster.fork();
  const ready = new Promise<void>((resolve) => {
    let listening = 0;
    cluster.on("listening", () => {
      if (++listening === n) resolve();
    });
  });
  cluster.on("exit", (worker, code) => {
    if (stopping) return;
    opts.onWorkerExit?.(worker.process.pid, code);
    fork();
  });
  relayPeerQuestions();
  for (let i = 0; i < n; i++) fork();
  await ready;
  const metricsServer = opts.metricsPort !== undefined ? await serveClusterMetrics(opts.metricsPort, opts.metricsHost ?? "127.0.0.1") : null;
  return {
    isPrimary: true,
    stop: async () => {
      stopping = true;
      metricsServer?.close();
      const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once("exit", () => resolve());
              w.send("millrace:drain");
            }),
        ),
      );
    },
  };
}

/** GET /metrics on the primary: every worker's registry gathered over IPC and merged (counters and histograms summed). */
async function serveClusterMetrics(port: number, host: string): Promise<Server> {
  // Loaded only when asked for: a primary without a metrics port starts with nothing but node:cluster.
  const { AggregatorRegistry } = await import("prom-client");
  const agg = new AggregatorRegistry();
  const server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found","message":"only GET /metrics here"}');
      return;
    }
    agg.clusterMetrics().then(
      (text) => res.writeHead(200, { "content-type": agg.contentType }).end(text),
      (e: unknown) => res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: "metrics_unavailable", message: e instanceof Error ? e.message : String(e) })),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
