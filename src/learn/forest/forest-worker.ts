// Worker thread entry of a random-forest fit: grows the rounds it claims and posts each back (forest-rounds.ts).

import { parentPort, workerData } from "node:worker_threads";
import { forestKernel, growClaimedRounds, type ForestJob } from "./forest-rounds.js";

const { job, thread } = workerData as { job: ForestJob; thread: number };
try {
  growClaimedRounds(job, thread, forestKernel(job, thread), (r) => parentPort!.postMessage({ round: r }));
  parentPort!.postMessage({ done: true });
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
