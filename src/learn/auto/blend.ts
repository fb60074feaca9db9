// Ensemble selection (Caruana et al., 2004) over the candidates' held-out CV predictions: a weighted average of
// candidates whose weights are counts of greedy picks (with replacement), added while the CV score improves.
// Classifiers are mixed as margins (logProbs in, softmaxRows out), so a blend explains as its members' sum.

/**
 * `held[c][j]`: candidate c's predictions on the held-out rows of CV part j (regression values, or row-major
 * probabilities). `score(outs)` is the CV score of one prediction per part (mean over parts), better when
 * sign × score is larger. Returns the weights per candidate (summing to 1) and the blend's score, or null when no
 * mix of two or more candidates beats the best one alone.
 */
export function selectBlend(held: Float64Array[][], score: (outs: Float64Array[]) => number, sign: 1 | -1, maxSteps = 10): { weights: number[]; score: number } | null {
  const nc = held.length;
  if (nc < 2) return null;
  const singles = held.map((outs) => score(outs));
  let first = 0;
  for (let c = 1; c < nc; c++) if (sign * singles[c] > sign * singles[first]) first = c;
  const counts = new Array<number>(nc).fill(0);
  counts[first] = 1;
  // Running sums of the picked candidates' predictions, per part.
  const sums = held[first].map((o) => Float64Array.from(o));
  let current = singles[first];
  for (let step = 1; step < maxSteps; step++) {
    let pick = -1;
    let pickScore = current;
    for (let c = 0; c < nc; c++) {
      const trial = sums.map((s, j) => mix(s, held[c][j], step));
      const v = score(trial);
      if (Number.isFinite(v) && sign * v > sign * pickScore + 1e-12) (pick = c), (pickScore = v);
    }
    if (pick < 0) break;
    counts[pick]++;
    for (const [j, s] of sums.entries()) for (let i = 0; i < s.length; i++) s[i] += held[pick][j][i];
    current = pickScore;
  }
  if (counts.filter((n) => n > 0).length < 2) return null;
  const total = counts.reduce((a, b) => a + b, 0);
  return { weights: counts.map((n) => n / total), score: current };
}

/** The average of `picked` predictions summed in `sum` and one more, `next`. */
function mix(sum: Float64Array, next: Float64Array, picked: number): Float64Array {
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = (sum[i] + next[i]) / (picked + 1);
  return out;
}

/** Probabilities are clipped to [CLIP, 1 − CLIP] before their log is taken. */
const CLIP = 1e-15;

/**
 * Classifiers are blended in margin space: the log of each (clipped) probability, so that the weighted sum of the
 * members' margins, passed through a softmax per row, is the blend's probability (binary, k = 2: σ(Σ wᵢ·logit pᵢ);
 * softmax is shift-invariant per row, so log pᵢ and the member's own margin zᵢ give the same blend).
 */
export function logProbs(p: Float64Array): Float64Array {
  return p.map((v) => Math.log(Math.min(Math.max(v, CLIP), 1 - CLIP)));
}

/** Softmax of each row of n × k margins `z`, in place; returns `z`. */
export function softmaxRows(z: Float64Array, k: number): Float64Array {
  for (let at = 0; at < z.length; at += k) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, z[at + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += z[at + c] = Math.exp(z[at + c] - max);
    for (let c = 0; c < k; c++) z[at + c] /= sum;
  }
  return z;
}
