// Worker thread of random-forest fits (pooled by forest-workers.ts): for each job it is sent, grows the rounds it
// claims and posts each back (forest-rounds.ts; its arrays transferred, not copied), then `done` (or `error`).

import { parentPort } from "node:worker_threads";
import { forestKernel, growClaimedRounds, type ForestJob } from "./forest-rounds.js";
import { packedBuffers } from "./tree-pack.js";

parentPort!.on("message", ({ job, thread }: { job: ForestJob; thread: number }) => {
  try {
    growClaimedRounds(job, thread, forestKernel(job, thread), (r) => parentPort!.postMessage({ round: r }, r.trees.flatMap(packedBuffers)));
    parentPort!.postMessage({ done: true });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
