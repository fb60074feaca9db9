// The flat arrays of a fitted ensemble of trees (what forest.ts builds, compile.ts and the scorers read).

export interface ForestState {
  /** Root of each tree: a node index, or ~leaf for a tree that is one leaf. */
  treeRoot: Int32Array;
  /** Output (class) each tree adds to. */
  treeOutput: Int32Array;
  feature: Int32Array;
  /** Numeric nodes: x <= threshold goes left. */
  threshold: Float64Array;
  flags: Uint8Array;
  /** Categorical nodes: the left categories as a bitset of codes, catBits[catStart .. catStart + catLen). */
  catStart: Int32Array;
  catLen: Int32Array;
  catBits: Uint32Array;
  left: Int32Array;
  right: Int32Array;
  gain: Float64Array;
  leafValue: Float64Array;
  /**
   * Training cover (hessian sum for boosting, in-bag weight for forests) of each internal node and each leaf: what
   * TreeSHAP weighs the branches a feature does not decide by. Absent in models saved before explanations existed.
   */
  cover?: Float64Array;
  leafCover?: Float64Array;
}
