// Chooses how a forest scores a batch: the WebAssembly lockstep walk for batches of many rows, compiled (or
// walked) JavaScript trees for a handful of rows, where single-record latency matters more than throughput.

import type { FeatureMatrix } from "../../features/matrix.js";
import { addForestScores, compileForest, type ForestState } from "./forest.js";
import { WasmForest } from "./predict-pool.js";

/** Rows from which a batch goes to the wasm walk (it walks 8 rows at a time; its setup is once per model). */
const WASM_MIN_ROWS = 64;

export class ForestScorer {
  private compiled: ReturnType<typeof compileForest> | null = null;
  private walked = 0;
  private wasm: WasmForest | null | undefined;

  constructor(
    private readonly s: ForestState,
    private readonly nFeatures: number,
    private readonly outputs: number,
  ) {}

  /** raw[output * n + i] += the trees' outputs for row i of X. */
  addScores(X: FeatureMatrix, raw: Float64Array): void {
    const n = X.nRows;
    if (n >= WASM_MIN_ROWS) {
      this.wasm ??= WasmForest.create(this.s, this.nFeatures, this.outputs);
      if (this.wasm) return this.wasm.addScores(X, raw);
    }
    // Compiling costs ~50 ms for 200 trees: worth it once the model has walked a few thousand rows (a server
    // compiles after its first requests; a one-off prediction of a handful of rows never pays it).
    this.walked += n * this.s.treeRoot.length;
    if (!this.compiled && this.walked > 200_000) this.compiled = compileForest(this.s, this.nFeatures);
    addForestScores(this.s, X, raw, this.compiled ?? undefined);
  }
}
