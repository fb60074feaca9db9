// Runs log compaction on a worker thread, so a serving process's event loop never waits for JSON parsing of a log file.
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { compactLog, pendingFiles, type CompactResult } from "./log-compact.js";

/** Compacts every closed log file under `root` off the main thread (in-process where workers cannot load this module). */
export async function compactInWorker(root: string): Promise<CompactResult> {
  if ((await pendingFiles(root)) === 0) return { files: 0, rows: 0, skippedLines: 0, bytesIn: 0, bytesOut: 0 };
  const self = fileURLToPath(import.meta.url);
  // Under a TypeScript test runner this file is .ts, which a worker thread cannot load: compact in-process there.
  if (!self.endsWith(".js")) return compactLog(root);
  return new Promise((resolve, reject) => {
    const w = new Worker(self, { workerData: { root } });
    w.once("message", (m: { result?: CompactResult; error?: string }) => (m.result ? resolve(m.result) : reject(new Error(m.error))));
    w.once("error", reject);
    w.once("exit", (code) => (code !== 0 ? reject(new Error(`log compaction worker exited with code ${code}`)) : undefined));
  });
}

if (!isMainThread && parentPort && (workerData as { root?: unknown } | null)?.root !== undefined) {
  const port = parentPort;
  compactLog((workerData as { root: string }).root).then(
    (result) => port.postMessage({ result }),
    (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) }),
  );
}
