// Prediction worker: walks the rows the main thread copies into a forest's shared memory (see predict-pool.ts).

import { parentPort, workerData } from "node:worker_threads";
import type { PredictMessage } from "./predict-pool.js";
import { ForestWalker } from "./wasm-forest.js";

const state = (workerData as { state: Int32Array }).state;
const models = new Map<number, { walker: ForestWalker; input: Float64Array[]; output: Float64Array; jobRows: number }>();

parentPort!.on("message", (m: PredictMessage) => {
  if (m.type === "model") {
    const L = m.packed.layout;
    const buf = m.memory.buffer;
    models.set(m.id, {
      walker: new ForestWalker(m.packed, m.nFeatures, m.outputs, m.memory, 1, m.module),
      input: Array.from({ length: m.nFeatures }, (_, f) => new Float64Array(buf, L.input + 8 * f * L.jobRows, L.jobRows)),
      output: new Float64Array(buf, L.output, L.jobRows * m.outputs),
      jobRows: L.jobRows,
    });
  } else if (m.type === "drop") models.delete(m.id);
  else {
    let failed = 0;
    try {
      const md = models.get(m.id);
      if (!md) throw new Error(`unknown model ${m.id}`);
      md.walker.score(md.input, 0, m.count, md.output, md.jobRows, 0);
    } catch {
      failed = 1;
    }
    Atomics.store(state, 2, failed);
    Atomics.store(state, 1, m.seq);
    Atomics.notify(state, 1);
  }
});
Atomics.store(state, 0, 1);
