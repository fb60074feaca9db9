// Drift statistics by hand on typed arrays: KS, Wasserstein, PSI, chi-square, Jensen–Shannon, proportion z-test.
// Numeric tests take sorted arrays without missing values (see sort.ts); categorical ones take aligned count vectors.
import { fromSorted, meanStd, valueAtRank, walkUnion, type Distribution } from "./distribution.js";
import { chiSquareSf, kolmogorovSf, normalSf } from "./special.js";

export interface TestResult {
  statistic: number;
  pValue: number;
}

/** Above this n1·n2 the exact KS p-value's O(n1·n2) walk is replaced by the asymptotic form. */
const KS_EXACT_MAX_N = 10_000;

/** Two-sample Kolmogorov–Smirnov D = sup |F_ref − F_cur|. */
export function ksStatisticOf(ref: Distribution, cur: Distribution): number {
  let d = 0;
  walkUnion(ref, cur, (_v, _a, _b, ca, cb) => {
    const diff = Math.abs(ca / ref.n - cb / cur.n);
    if (diff > d) d = diff;
  });
  return d;
}

/** D over sorted inputs. */
export function ksStatistic(ref: Float64Array, cur: Float64Array): number {
  return ksStatisticOf(fromSorted(ref), fromSorted(cur));
}

/**
 * Exact two-sided P(D ≥ d) for samples of sizes m and n: the share of monotone lattice paths from (0,0) to (m,n)
 * that touch |i/m − j/n| ≥ d, walked with path probabilities (i/(i+j), j/(i+j)) so nothing overflows.
 */
export function ksExactPValue(d: number, m: number, n: number): number {
  if (d <= 0) return 1;
  // D·m·n is an integer (D = |i·n − j·m| / (m·n)); rounding removes float noise.
  const h = Math.round(d * m * n);
  const row = new Float64Array(n + 1);
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      if (Math.abs(i * n - j * m) >= h) {
        row[j] = 0;
        continue;
      }
      if (i === 0 && j === 0) row[j] = 1;
      else if (i === 0) row[j] = row[j - 1];
      else if (j === 0) row[j] = row[j]; // only from (i-1, 0), weight i/i = 1
      else row[j] = (i / (i + j)) * row[j] + (j / (i + j)) * row[j - 1];
    }
  }
  return Math.min(1, Math.max(0, 1 - row[n]));
}

/** KS test (two-sided): exact p-value when both samples have ≤ 10,000 values (as scipy's "auto"), else asymptotic. */
export function ksTestOf(ref: Distribution, cur: Distribution): TestResult {
  const m = ref.n;
  const n = cur.n;
  if (m === 0 || n === 0) return { statistic: NaN, pValue: NaN };
  const d = ksStatisticOf(ref, cur);
  if (Math.max(m, n) <= KS_EXACT_MAX_N) return { statistic: d, pValue: ksExactPValue(d, m, n) };
  const en = (m * n) / (m + n);
  const s = Math.sqrt(en);
  // Stephens' small-sample correction of Kolmogorov's limit.
  return { statistic: d, pValue: kolmogorovSf((s + 0.12 + 0.11 / s) * d) };
}

export function ksTest(ref: Float64Array, cur: Float64Array): TestResult {
  return ksTestOf(fromSorted(ref), fromSorted(cur));
}

/** First Wasserstein distance ∫|F_ref − F_cur| dx. */
export function wassersteinOf(ref: Distribution, cur: Distribution): number {
  if (ref.n === 0 || cur.n === 0) return NaN;
  let w = 0;
  let prev = NaN;
  let fa = 0;
  let fb = 0;
  walkUnion(ref, cur, (v, _a, _b, ca, cb) => {
    // Between the previous value and v the two CDFs are flat at fa and fb.
    if (!Number.isNaN(prev)) w += Math.abs(fa - fb) * (v - prev);
    prev = v;
    fa = ca / ref.n;
    fb = cb / cur.n;
  });
  return w;
}

export function wassersteinDistance(ref: Float64Array, cur: Float64Array): number {
  return wassersteinOf(fromSorted(ref), fromSorted(cur));
}

/** Population standard deviation (ddof = 0, as numpy's default). */
export function stdDev(x: Float64Array): number {
  const n = x.length;
  if (n === 0) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
  return Math.sqrt(ss / n);
}

/** Wasserstein distance in units of the reference's standard deviation (floored at 0.001, as Evidently does). */
export function normalizedWassersteinOf(ref: Distribution, cur: Distribution): number {
  return wassersteinOf(ref, cur) / Math.max(meanStd(ref).std, 0.001);
}

export function normalizedWasserstein(ref: Float64Array, cur: Float64Array): number {
  return normalizedWassersteinOf(fromSorted(ref), fromSorted(cur));
}

/** Share floor for empty bins in PSI and Jensen–Shannon, so a logarithm never sees zero (Evidently's 0.0001). */
export const EMPTY_SHARE = 1e-4;

function sharesOf(counts: Float64Array): Float64Array {
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k];
  const out = new Float64Array(counts.length);
  for (let k = 0; k < counts.length; k++) out[k] = total > 0 && counts[k] > 0 ? counts[k] / total : EMPTY_SHARE;
  return out;
}

/** Population stability index Σ (p_ref − p_cur)·ln(p_ref / p_cur) over aligned bin counts. */
export function psiFromCounts(refCounts: Float64Array, curCounts: Float64Array): number {
  const p = sharesOf(refCounts);
  const q = sharesOf(curCounts);
  let s = 0;
  for (let k = 0; k < p.length; k++) s += (p[k] - q[k]) * Math.log(p[k] / q[k]);
  return s;
}

/** Bin edges at the reference's quantiles (deciles for 10 bins), duplicates removed; `bins − 1` inner edges at most. */
export function quantileEdgesOf(ref: Distribution, bins: number): Float64Array {
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const e = valueAtRank(ref, Math.min(ref.n - 1, Math.floor((b * ref.n) / bins)));
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  return Float64Array.from(edges);
}

/** Counts per bin: bin k holds values in [edge[k−1], edge[k]). */
export function binCountsOf(d: Distribution, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let b = 0;
  for (let i = 0; i < d.values.length; i++) {
    while (b < edges.length && d.values[i] >= edges[b]) b++;
    counts[b] += d.counts[i];
  }
  return counts;
}

/** PSI of a numeric column over `bins` bins cut at the reference's quantiles (the credit-scoring convention). */
export function psiNumericOf(ref: Distribution, cur: Distribution, bins = 10): number {
  if (ref.n === 0 || cur.n === 0) return NaN;
  const edges = quantileEdgesOf(ref, bins);
  return psiFromCounts(binCountsOf(ref, edges), binCountsOf(cur, edges));
}

export function psiNumeric(refSorted: Float64Array, curSorted: Float64Array, bins = 10): number {
  return psiNumericOf(fromSorted(refSorted), fromSorted(curSorted), bins);
}

/** Counts of both sides over the union of their distinct values (a numeric column read as categories). */
export function alignedValueCounts(ref: Distribution, cur: Distribution): { ref: Float64Array; cur: Float64Array } {
  const rc: number[] = [];
  const cc: number[] = [];
  walkUnion(ref, cur, (_v, a, b) => {
    rc.push(a);
    cc.push(b);
  });
  return { ref: Float64Array.from(rc), cur: Float64Array.from(cc) };
}

/**
 * Chi-square goodness of fit of the current counts against the reference shares scaled to the current size
 * (Evidently's chi-square drift test). A category absent from the reference but present now gives +∞, p = 0.
 */
export function chiSquareTest(refCounts: Float64Array, curCounts: Float64Array): TestResult {
  let nRef = 0;
  let nCur = 0;
  for (let k = 0; k < refCounts.length; k++) {
    nRef += refCounts[k];
    nCur += curCounts[k];
  }
  if (nRef === 0 || nCur === 0) return { statistic: NaN, pValue: NaN };
  const scale = nCur / nRef;
  let stat = 0;
  for (let k = 0; k < refCounts.length; k++) {
    const exp = refCounts[k] * scale;
    const obs = curCounts[k];
    if (exp === 0) {
      if (obs > 0) stat = Infinity;
      continue;
    }
    stat += ((obs - exp) * (obs - exp)) / exp;
  }
  const dof = refCounts.length - 1;
  if (dof < 1) return { statistic: 0, pValue: 1 };
  return { statistic: stat, pValue: stat === Infinity ? 0 : chiSquareSf(stat, dof) };
}

/** Jensen–Shannon distance (natural log, as scipy.spatial.distance.jensenshannon) between aligned count vectors. */
export function jensenShannonDistance(refCounts: Float64Array, curCounts: Float64Array): number {
  const p = sharesOf(refCounts);
  const q = sharesOf(curCounts);
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < p.length; k++) {
    sp += p[k];
    sq += q[k];
  }
  let js = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k] / sp;
    const b = q[k] / sq;
    const m = (a + b) / 2;
    js += 0.5 * (a * Math.log(a / m) + b * Math.log(b / m));
  }
  return Math.sqrt(Math.max(0, js));
}

/** Two-proportion z-test with pooled variance, two-sided (Evidently's z-test on a binary column). */
export function proportionZTest(refHits: number, refN: number, curHits: number, curN: number): TestResult {
  if (refN === 0 || curN === 0) return { statistic: NaN, pValue: NaN };
  const p1 = refHits / refN;
  const p2 = curHits / curN;
  const pooled = (refHits + curHits) / (refN + curN);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / refN + 1 / curN));
  // Both samples all one value: identical proportions, no evidence of drift.
  if (se === 0) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / se;
  return { statistic: z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

export type PsiBand = "stable" | "moderate" | "significant";

/** The usual reading of PSI: < 0.1 stable, < 0.25 moderate shift, otherwise significant. */
export function psiBand(psi: number, bands: [number, number] = [0.1, 0.25]): PsiBand {
  return psi < bands[0] ? "stable" : psi < bands[1] ? "moderate" : "significant";
}
