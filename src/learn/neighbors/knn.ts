// k-nearest neighbours (brute force) on the linear pipeline's output: scaled numbers and implicit one-hot
// categories (two different categories are sqrt(2) apart, as their one-hot vectors are).

import { KNN_PARAMS } from "../param-schemas.js";
import { ValidationError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { FittedEstimator, TrainingData } from "../estimator.js";
import { ParamHolder } from "../params.js";

export class KNearestNeighbors extends ParamHolder<KNearestNeighbors> {
  constructor(params: Record<string, unknown> = {}) {
    super("knn", KNN_PARAMS, params);
  }

  clone(): KNearestNeighbors {
    return new KNearestNeighbors(this.getParams());
  }

  fit(data: TrainingData): FittedKnn {
    // Lazy learner: the fitted state is the training rows themselves (row-major, one-hot codes kept as codes).
    const { X, y, nClasses } = data;
    const k = this.num("n_neighbors");
    // scikit-learn refuses too: with k >= the rows every prediction is the training mean or majority class.
    if (k > X.nRows) {
      throw new ValidationError(`parameter "n_neighbors" of knn is ${k}, more than the ${X.nRows} rows it is fit on`, {
        path: "params.n_neighbors",
        hint: `use n_neighbors <= ${X.nRows} (a CV fold or an ensemble's sample fits on fewer rows than the train split)`,
      });
    }
    const numIdx = X.columns.flatMap((c, j) => (c.kind === "numeric" ? [j] : []));
    const catIdx = X.columns.flatMap((c, j) => (c.kind === "categorical" ? [j] : []));
    return new FittedKnn({
      k,
      distanceWeighted: this.params.weights === "distance",
      nClasses,
      num: rowMajor(X, numIdx),
      cat: rowMajorCodes(X, catIdx),
      nNum: numIdx.length,
      nCat: catIdx.length,
      y: Float64Array.from(y),
    });
  }
}

function rowMajor(X: FeatureMatrix, idx: number[]): Float64Array {
  const out = new Float64Array(X.nRows * idx.length);
  idx.forEach((j, q) => {
    const c = X.columns[j];
    if (c.kind === "numeric") for (let i = 0; i < X.nRows; i++) out[i * idx.length + q] = c.values[i];
  });
  return out;
}

function rowMajorCodes(X: FeatureMatrix, idx: number[]): Int32Array {
  const out = new Int32Array(X.nRows * idx.length);
  idx.forEach((j, q) => {
    const c = X.columns[j];
    if (c.kind === "categorical") for (let i = 0; i < X.nRows; i++) out[i * idx.length + q] = c.codes[i];
  });
  return out;
}

export interface KnnState {
  k: number;
  distanceWeighted: boolean;
  nClasses: number;
  num: Float64Array;
  cat: Int32Array;
  nNum: number;
  nCat: number;
  y: Float64Array;
}

export class FittedKnn implements FittedEstimator {
  readonly name = "knn";

  constructor(readonly s: KnnState) {}

  predict(X: FeatureMatrix): Float64Array {
    const { k, nClasses, nNum, nCat, num, cat, y } = this.s;
    const nTrain = y.length;
    const q = X.nRows;
    const qNum = rowMajor(X, X.columns.flatMap((c, j) => (c.kind === "numeric" ? [j] : [])));
    const qCat = rowMajorCodes(X, X.columns.flatMap((c, j) => (c.kind === "categorical" ? [j] : [])));
    const out = new Float64Array(q * Math.max(nClasses, 1));
    const bestD = new Float64Array(k);
    const bestI = new Int32Array(k);
    for (let i = 0; i < q; i++) {
      bestD.fill(Infinity);
      bestI.fill(-1);
      for (let t = 0; t < nTrain; t++) {
        let d = 0;
        for (let j = 0; j < nNum; j++) d += (qNum[i * nNum + j] - num[t * nNum + j]) ** 2;
        for (let j = 0; j < nCat; j++) {
          const a = qCat[i * nCat + j];
          const b = cat[t * nCat + j];
          if (a !== b) d += a < 0 || b < 0 ? 1 : 2;
        }
        if (d >= bestD[k - 1]) continue;
        // Insert into the sorted k-best list (ties keep the earlier training row: deterministic).
        let p = k - 1;
        while (p > 0 && bestD[p - 1] > d) (bestD[p] = bestD[p - 1]), (bestI[p] = bestI[p - 1]), p--;
        bestD[p] = d;
        bestI[p] = t;
      }
      let wsum = 0;
      for (let p = 0; p < k; p++) {
        if (bestI[p] < 0) continue;
        const wgt = this.s.distanceWeighted ? 1 / Math.max(Math.sqrt(bestD[p]), 1e-12) : 1;
        wsum += wgt;
        if (nClasses === 0) out[i] += wgt * y[bestI[p]];
        else out[i * nClasses + y[bestI[p]]] += wgt;
      }
      const width = Math.max(nClasses, 1);
      for (let c = 0; c < width; c++) out[i * width + c] /= wsum;
    }
    return out;
  }

  state(): Record<string, unknown> {
    return { ...this.s };
  }
}
