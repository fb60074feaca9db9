// Worker thread entry: runs the shard operations the main thread posts through a shared control block.

import { parentPort, workerData } from "node:worker_threads";
import { objectiveFor } from "../objectives/index.js";
import { histOpsFor, kernelFor, withWasmGradients } from "./fit-arrays.js";
import { CTRL_ARGS, CTRL_DONE, CTRL_ERROR, CTRL_OP, CTRL_SEQ, OP_EXIT, runOp, shardContext } from "./shard-ops.js";
import type { WorkerInit } from "./threads.js";

const init = workerData as WorkerInit;
const { arrays: a, ctrl } = init;
const home = { memory: init.memory, shared: init.shared };
const o = init.objective;
const ctx = shardContext(a, withWasmGradients(objectiveFor(o.task, o.nClasses, o.loss, o.huberDelta), home), kernelFor(a, home, init.thread), histOpsFor(a, home, init.thread));
// The control block starts at sequence 0; reading it after "ready" would race with the first operation.
let seen = 0;
parentPort!.postMessage("ready");
for (;;) {
  Atomics.wait(ctrl, CTRL_SEQ, seen);
  seen = Atomics.load(ctrl, CTRL_SEQ);
  const op = ctrl[CTRL_OP];
  if (op === OP_EXIT) break;
  try {
    runOp(ctx, op, ctrl.subarray(CTRL_ARGS, CTRL_ERROR));
  } catch (e) {
    const msg = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).subarray(0, init.errorText.length);
    init.errorText.fill(0);
    init.errorText.set(msg);
    Atomics.store(ctrl, CTRL_ERROR, 1);
  }
  Atomics.store(ctrl, CTRL_DONE, seen);
  Atomics.notify(ctrl, CTRL_DONE);
}
