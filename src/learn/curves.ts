// Threshold-free summaries of a classifier: confusion matrix, ROC / precision-recall / calibration curve points,
// average precision (PR-AUC) and the Brier score.

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

export function brierScore(y01: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y01.length; i++) s += (p[i] - y01[i]) ** 2;
  return s / y01.length;
}

/** Points at every distinct score, highest threshold first (one point per tie group). */
function sweep(y01: ArrayLike<number>, score: ArrayLike<number>): { thr: number; tp: number; fp: number }[] {
  const order = Array.from({ length: y01.length }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  const pts: { thr: number; tp: number; fp: number }[] = [];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < order.length; j++) {
    if (y01[order[j]] === 1) tp++;
    else fp++;
    if (j === order.length - 1 || score[order[j + 1]] !== score[order[j]]) pts.push({ thr: score[order[j]], tp, fp });
  }
  return pts;
}

export function rocCurve(y01: ArrayLike<number>, score: ArrayLike<number>): { fpr: number[]; tpr: number[]; thresholds: number[] } {
  const pts = sweep(y01, score);
  const P = pts.length ? pts[pts.length - 1].tp : 0;
  const N = pts.length ? pts[pts.length - 1].fp : 0;
  return {
    fpr: [0, ...pts.map((p) => (N ? p.fp / N : 0))],
    tpr: [0, ...pts.map((p) => (P ? p.tp / P : 0))],
    thresholds: [Infinity, ...pts.map((p) => p.thr)],
  };
}

export function precisionRecallCurve(y01: ArrayLike<number>, score: ArrayLike<number>): { precision: number[]; recall: number[]; thresholds: number[] } {
  const pts = sweep(y01, score);
  const P = pts.length ? pts[pts.length - 1].tp : 0;
  return {
    precision: pts.map((p) => p.tp / (p.tp + p.fp)),
    recall: pts.map((p) => (P ? p.tp / P : 0)),
    thresholds: pts.map((p) => p.thr),
  };
}

/** Average precision: sum over thresholds of (recall step) x precision, as scikit-learn computes PR-AUC. */
export function averagePrecision(y01: ArrayLike<number>, score: ArrayLike<number>): number {
  const { precision, recall } = precisionRecallCurve(y01, score);
  let ap = 0;
  let prev = 0;
  for (let i = 0; i < recall.length; i++) (ap += (recall[i] - prev) * precision[i]), (prev = recall[i]);
  return ap;
}

/** Mean predicted probability vs observed rate in `bins` equal-width bins (empty bins left out). */
export function calibrationCurve(y01: ArrayLike<number>, p: ArrayLike<number>, bins = 10): { predicted: number[]; observed: number[]; count: number[] } {
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  for (let i = 0; i < y01.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
    sumP[b] += p[i];
    sumY[b] += y01[i];
    cnt[b]++;
  }
  const out = { predicted: [] as number[], observed: [] as number[], count: [] as number[] };
  for (let b = 0; b < bins; b++) {
    if (!cnt[b]) continue;
    out.predicted.push(sumP[b] / cnt[b]);
    out.observed.push(sumY[b] / cnt[b]);
    out.count.push(cnt[b]);
  }
  return out;
}
