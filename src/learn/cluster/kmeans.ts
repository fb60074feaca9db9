// k-means clustering (customer segmentation): Lloyd iterations from k-means++ seeds, best of several starts,
// on the linear pipeline's space (scaled numbers, implicit one-hot categories).

import { ValidationError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import { FeaturePipeline, FittedFeaturePipeline, LINEAR_PIPELINE, type PipelineState } from "../../features/pipeline.js";
import type { Frame } from "../../records.js";
import { decodeArtifact, encodeArtifact } from "../artifact.js";
import { Design } from "../linear/design.js";
import { Rng } from "../rng.js";

export interface KMeansRequest {
  frame: Frame;
  features: string[];
  k: number;
  seed: number;
  /** Independent k-means++ starts; the lowest inertia wins (default 4). */
  nInit?: number;
  maxIter?: number;
  /** Stop when no center moves more than tol (in scaled units). */
  tol?: number;
  rows?: Uint32Array;
}

interface Dense {
  n: number;
  width: number;
  x: Float64Array;
}

/** The design matrix written out densely (k-means centers are dense anyway). */
function densify(X: FeatureMatrix): Dense {
  const d = new Design(X);
  const n = X.nRows;
  const x = new Float64Array(n * d.width);
  X.columns.forEach((c, j) => {
    const off = d.offsets[j];
    if (c.kind === "numeric") for (let i = 0; i < n; i++) x[i * d.width + off] = c.values[i];
    else for (let i = 0; i < n; i++) if (c.codes[i] >= 0) x[i * d.width + off + c.codes[i]] = 1;
  });
  return { n, width: d.width, x };
}

function nearest(x: Float64Array, i: number, W: number, centers: Float64Array, k: number): { c: number; d: number } {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < W; j++) s += (x[i * W + j] - centers[c * W + j]) ** 2;
    if (s < bestD) (bestD = s), (best = c);
  }
  return { c: best, d: bestD };
}

function lloyd(data: Dense, k: number, rng: Rng, maxIter: number, tol: number): { centers: Float64Array; labels: Int32Array; inertia: number; iterations: number } {
  const { n, width: W, x } = data;
  const centers = new Float64Array(k * W);
  // k-means++: each next seed drawn with probability proportional to its squared distance to the chosen ones.
  const first = rng.int(n);
  centers.set(x.subarray(first * W, (first + 1) * W), 0);
  const d2 = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < W; j++) s += (x[i * W + j] - centers[(c - 1) * W + j]) ** 2;
      d2[i] = Math.min(d2[i], s);
      total += d2[i];
    }
    let r = rng.next() * total;
    let pick = n - 1;
    for (let i = 0; i < n; i++) if ((r -= d2[i]) <= 0) (pick = i), (i = n);
    centers.set(x.subarray(pick * W, (pick + 1) * W), c * W);
  }
  const labels = new Int32Array(n);
  let inertia = 0;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    inertia = 0;
    for (let i = 0; i < n; i++) {
      const { c, d } = nearest(x, i, W, centers, k);
      labels[i] = c;
      inertia += d;
    }
    const sums = new Float64Array(k * W);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let j = 0; j < W; j++) sums[labels[i] * W + j] += x[i * W + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its center
      for (let j = 0; j < W; j++) {
        const v = sums[c * W + j] / counts[c];
        shift = Math.max(shift, Math.abs(v - centers[c * W + j]));
        centers[c * W + j] = v;
      }
    }
    if (shift <= tol) {
      iter++;
      break;
    }
  }
  inertia = 0;
  for (let i = 0; i < n; i++) {
    const { c, d } = nearest(x, i, W, centers, k);
    labels[i] = c;
    inertia += d;
  }
  return { centers, labels, inertia, iterations: iter };
}

export class KMeansModel {
  constructor(
    readonly pipeline: FittedFeaturePipeline,
    readonly centers: Float64Array,
    readonly k: number,
    /** Sum of squared distances of the training rows to their centers. */
    readonly inertia: number,
  ) {}

  /** Cluster of every row of a frame. */
  assign(frame: Frame): Int32Array {
    const data = densify(this.pipeline.transform(frame));
    const out = new Int32Array(data.n);
    for (let i = 0; i < data.n; i++) out[i] = nearest(data.x, i, data.width, this.centers, this.k).c;
    return out;
  }

  toBytes(): Uint8Array {
    return encodeArtifact({ kind: "millrace-kmeans", pipeline: this.pipeline.state, centers: this.centers, k: this.k, inertia: this.inertia });
  }

  static fromBytes(bytes: Uint8Array): KMeansModel {
    const s = decodeArtifact(bytes) as { kind: string; pipeline: PipelineState; centers: Float64Array; k: number; inertia: number };
    if (s.kind !== "millrace-kmeans") throw new ValidationError("not a k-means artifact", { hint: "pass bytes from KMeansModel.toBytes()" });
    return new KMeansModel(new FittedFeaturePipeline(s.pipeline), s.centers, s.k, s.inertia);
  }
}

export function fitKMeans(req: KMeansRequest): { model: KMeansModel; labels: Int32Array; iterations: number } {
  const n = req.rows ? req.rows.length : req.frame.rowCount;
  if (!Number.isInteger(req.k) || req.k < 1 || req.k > n) {
    throw new ValidationError(`k must be an integer between 1 and the number of rows (${n}), got ${req.k}`, { path: "k", hint: "choose fewer clusters" });
  }
  const pipeline = new FeaturePipeline(LINEAR_PIPELINE).fit(req.frame, req.features, req.rows);
  const data = densify(pipeline.transform(req.frame, req.rows));
  const rng = new Rng(req.seed);
  let best: ReturnType<typeof lloyd> | null = null;
  for (let s = 0; s < (req.nInit ?? 4); s++) {
    const run = lloyd(data, req.k, rng.fork(), req.maxIter ?? 300, req.tol ?? 1e-4);
    if (!best || run.inertia < best.inertia) best = run;
  }
  return { model: new KMeansModel(pipeline, best!.centers, req.k, best!.inertia), labels: best!.labels, iterations: best!.iterations };
}
