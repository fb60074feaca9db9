// Evaluation metrics (classification and regression) on typed arrays, matching scikit-learn's definitions.

export type Labels = ArrayLike<number>;

const EPS = 1e-15;

export function accuracy(yTrue: Labels, yPred: Labels): number {
  const n = yTrue.length;
  if (n === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / n;
}

/** Balanced accuracy: the mean recall over the classes present in yTrue. */
export function balancedAccuracy(yTrue: Labels, yPred: Labels, nClasses: number): number {
  const tp = new Float64Array(nClasses);
  const support = new Float64Array(nClasses);
  for (let i = 0; i < yTrue.length; i++) {
    support[yTrue[i]]++;
    if (yTrue[i] === yPred[i]) tp[yTrue[i]]++;
  }
  let sum = 0;
  let k = 0;
  for (let c = 0; c < nClasses; c++) if (support[c] > 0) (sum += tp[c] / support[c]), k++;
  return k === 0 ? NaN : sum / k;
}

/** Counts for class `positive` treated as 1 and everything else as 0. */
function counts(yTrue: Labels, yPred: Labels, positive: number): { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] === positive;
    const p = yPred[i] === positive;
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  return { tp, fp, fn };
}

// Zero denominators give 0, as scikit-learn does with zero_division="warn".
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function precision(yTrue: Labels, yPred: Labels, positive = 1): number {
  const { tp, fp } = counts(yTrue, yPred, positive);
  return ratio(tp, tp + fp);
}

export function recall(yTrue: Labels, yPred: Labels, positive = 1): number {
  const { tp, fn } = counts(yTrue, yPred, positive);
  return ratio(tp, tp + fn);
}

export function f1(yTrue: Labels, yPred: Labels, positive = 1): number {
  const { tp, fp, fn } = counts(yTrue, yPred, positive);
  return ratio(2 * tp, 2 * tp + fp + fn);
}

/** Macro F1 over the labels present in yTrue or yPred (scikit-learn's default label set). */
export function f1Macro(yTrue: Labels, yPred: Labels, nClasses: number): number {
  const seen = new Uint8Array(nClasses);
  for (let i = 0; i < yTrue.length; i++) (seen[yTrue[i]] = 1), (seen[yPred[i]] = 1);
  let sum = 0;
  let k = 0;
  for (let c = 0; c < nClasses; c++) if (seen[c]) (sum += f1(yTrue, yPred, c)), k++;
  return k === 0 ? NaN : sum / k;
}

/**
 * Area under the ROC curve for 0/1 labels and scores, with tied scores given their average rank
 * (the Mann-Whitney form). NaN when only one class is present.
 */
export function rocAuc(yTrue: Labels, score: ArrayLike<number>): number {
  const n = yTrue.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[a] - score[b]);
  let nPos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) if (yTrue[order[k]] === 1) (nPos++, (rankSumPos += avgRank));
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Binary log loss with probabilities clipped to [1e-15, 1 - 1e-15]. */
export function logLoss(yTrue: Labels, p: ArrayLike<number>): number {
  const n = yTrue.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const q = Math.min(Math.max(p[i], EPS), 1 - EPS);
    s -= yTrue[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / n;
}

/** Multiclass log loss; `proba` is row-major n x k, clipped and renormalised per row. */
export function multiLogLoss(yTrue: Labels, proba: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.max(proba[i * k + c], EPS);
    s -= Math.log(Math.max(proba[i * k + yTrue[i]], EPS) / sum);
  }
  return s / n;
}

/**
 * One-vs-rest macro ROC-AUC over the classes present in yTrue; probabilities are renormalised over those
 * classes first, as the peers' harness does.
 */
export function rocAucOvrMacro(yTrue: Labels, proba: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  const present: number[] = [];
  const seen = new Uint8Array(k);
  for (let i = 0; i < n; i++) seen[yTrue[i]] = 1;
  for (let c = 0; c < k; c++) if (seen[c]) present.push(c);
  if (present.length < 2) return NaN;
  const bin = new Uint8Array(n);
  const score = new Float64Array(n);
  let sum = 0;
  for (const c of present) {
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (const d of present) z += proba[i * k + d];
      bin[i] = yTrue[i] === c ? 1 : 0;
      score[i] = z > 0 ? proba[i * k + c] / z : 0;
    }
    sum += rocAuc(bin, score);
  }
  return sum / present.length;
}

export function rmse(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - pred[i]) ** 2;
  return Math.sqrt(s / y.length);
}

export function mae(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - pred[i]);
  return s / y.length;
}

/**
 * Coefficient of determination; for a constant target: 1 if predicted exactly, else 0 (scikit-learn's force_finite).
 * NaN (undefined) with fewer than 2 rows, as scikit-learn: one row has no spread to explain, so "0" said nothing.
 */
export function r2(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  const n = y.length;
  if (n < 2) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) (ssRes += (y[i] - pred[i]) ** 2), (ssTot += (y[i] - mean) ** 2);
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** Mean absolute percentage error (rows with y = 0 use a tiny floor, as scikit-learn does). */
export function mape(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - pred[i]) / Math.max(Math.abs(y[i]), 2.220446049250313e-16);
  return s / y.length;
}
