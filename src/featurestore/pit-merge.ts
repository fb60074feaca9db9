// The point-in-time match on typed columns: for each label (entity id, time) the feature row of its entity with the
// latest time at or before the label's, within the TTL. Labels are grouped by entity and sorted by time once; feature
// rows are then taken in any order: each is offered to the first label of its entity at or after it (a binary search
// in a group of a few labels), and one pass per entity carries the best row forward. No feature row is sorted.

/** Labels grouped by entity id (counting sort), each group sorted by time. */
export interface LabelIndex {
  /** The labels' row positions in (entity, time) order. */
  order: Int32Array;
  /** Times in that order (µs since the epoch, as doubles: exact below 2^53). */
  ts: Float64Array;
  /** Group of entity e: order[start[e] .. start[e + 1]). */
  start: Int32Array;
}

/** Entities per partition of feature rows: their labels' arrays fit in cache. */
const PARTITION_ENTITIES = 256;

/** Groups below this size are insertion-sorted; larger ones are merge-sorted. */
const SMALL_GROUP = 32;

/**
 * Indexes `n` labels: `pos[i]` the label's row position, `eid[i]` its entity id in [0, entities), `ts[i]` its time.
 */
export function indexLabels(pos: Int32Array, eid: Int32Array, ts: Float64Array, n: number, entities: number): LabelIndex {
  const start = new Int32Array(entities + 1);
  for (let i = 0; i < n; i++) start[eid[i] + 1]++;
  for (let e = 0; e < entities; e++) start[e + 1] += start[e];
  const fill = start.slice(0, entities);
  const order = new Int32Array(n);
  const sts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = fill[eid[i]]++;
    order[at] = pos[i];
    sts[at] = ts[i];
  }
  let scratchTs: Float64Array | null = null;
  let scratchPos: Int32Array | null = null;
  for (let e = 0; e < entities; e++) {
    const lo = start[e];
    const hi = start[e + 1];
    if (hi - lo <= SMALL_GROUP) insertionSort(sts, order, lo, hi);
    else {
      scratchTs ??= new Float64Array(n);
      scratchPos ??= new Int32Array(n);
      mergeSort(sts, order, lo, hi, scratchTs, scratchPos);
    }
  }
  return { order, ts: sts, start };
}

function insertionSort(ts: Float64Array, pos: Int32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const t = ts[i];
    const p = pos[i];
    let j = i - 1;
    while (j >= lo && ts[j] > t) {
      ts[j + 1] = ts[j];
      pos[j + 1] = pos[j];
      j--;
    }
    ts[j + 1] = t;
    pos[j + 1] = p;
  }
}

/** Bottom-up merge sort of [lo, hi) by time, runs of SMALL_GROUP insertion-sorted first. */
function mergeSort(ts: Float64Array, pos: Int32Array, lo: number, hi: number, tmpTs: Float64Array, tmpPos: Int32Array): void {
  for (let a = lo; a < hi; a += SMALL_GROUP) insertionSort(ts, pos, a, Math.min(a + SMALL_GROUP, hi));
  let srcTs = ts, srcPos = pos, dstTs = tmpTs, dstPos = tmpPos;
  for (let width = SMALL_GROUP; width < hi - lo; width *= 2) {
    for (let a = lo; a < hi; a += 2 * width) {
      const mid = Math.min(a + width, hi);
      const end = Math.min(a + 2 * width, hi);
      let i = a, j = mid, k = a;
      while (i < mid && j < end) {
        if (srcTs[j] < srcTs[i]) { dstTs[k] = srcTs[j]; dstPos[k++] = srcPos[j++]; }
        else { dstTs[k] = srcTs[i]; dstPos[k++] = srcPos[i++]; }
      }
      while (i < mid) { dstTs[k] = srcTs[i]; dstPos[k++] = srcPos[i++]; }
      while (j < end) { dstTs[k] = srcTs[j]; dstPos[k++] = srcPos[j++]; }
    }
    [srcTs, dstTs] = [dstTs, srcTs];
    [srcPos, dstPos] = [dstPos, srcPos];
  }
  if (srcTs !== ts) {
    ts.set(srcTs.subarray(lo, hi), lo);
    pos.set(srcPos.subarray(lo, hi), lo);
  }
}

/** One view's rows: entity id (-1: an entity no label has, skipped), time, and (optionally) the tie-breaking written time; `n` rows, in any order. */
export interface ViewRows {
  eid: Int32Array;
  ts: Float64Array;
  /** Written time (larger = written later); -Infinity for NULL, which loses every tie. */
  created: Float64Array | null;
  n: number;
}

/**
 * For each label in index order, the view row it gets (its index in `rows`), or -1: no row of the entity at or before
 * the label, or the latest such row is older than `ttlUs`. Among rows with the same entity and time the largest
 * `created` wins, then the row read last.
 */
export function matchRows(labels: LabelIndex, rows: ViewRows, ttlUs: number): Int32Array {
  const { start, ts: lts } = labels;
  const n = lts.length;
  const best = new Int32Array(n).fill(-1);
  const bestTs = new Float64Array(n);
  const bestCreated = rows.created ? new Float64Array(n) : null;
  const { eid, ts, created } = rows;
  const entities = start.length - 1;
  // Rows taken partition by partition of entity ids (copied into partition order first), so the labels each
  // partition touches stay in cache: rows arrive in random entity order, and without this each costs several cache
  // misses (3.3M rows: 0.18 → 0.09 s). Stable: read order is kept within a partition.
  const bits = Math.max(0, Math.ceil(Math.log2(Math.max(1, entities / PARTITION_ENTITIES))));
  const shift = Math.max(0, Math.ceil(Math.log2(Math.max(2, entities))) - bits);
  const parts = new Int32Array((1 << bits) + 1);
  for (let r = 0; r < rows.n; r++) if (eid[r] >= 0) parts[(eid[r] >>> shift) + 1]++;
  for (let p = 0; p < 1 << bits; p++) parts[p + 1] += parts[p];
  const cursor = parts.slice(0, 1 << bits);
  const kept = parts[1 << bits];
  const pr = new Int32Array(kept);
  const pe = new Int32Array(kept);
  const pt = new Float64Array(kept);
  for (let r = 0; r < rows.n; r++) {
    const e = eid[r];
    if (e < 0) continue;
    const at = cursor[e >>> shift]++;
    pr[at] = r;
    pe[at] = e;
    pt[at] = ts[r];
  }
  for (let k = 0; k < kept; k++) {
    const r = pr[k];
    const e = pe[k];
    const t = pt[k];
    let lo = start[e];
    let hi = start[e + 1];
    // First label of the entity at or after t.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    if (lo === start[e + 1]) continue;
    const b = best[lo];
    if (b >= 0) {
      if (t < bestTs[lo]) continue;
      if (t === bestTs[lo] && created !== null && created[r] < bestCreated![lo]) continue;
    }
    best[lo] = r;
    bestTs[lo] = t;
    if (created !== null) bestCreated![lo] = created[r];
  }
  // A label with no row of its own (none between the previous label's time and its own) takes the previous one's.
  const out = new Int32Array(n);
  for (let e = 0; e < entities; e++) {
    for (let j = start[e]; j < start[e + 1]; j++) {
      if (best[j] < 0 && j > start[e]) {
        best[j] = best[j - 1];
        bestTs[j] = bestTs[j - 1];
      }
      out[j] = best[j] >= 0 && bestTs[j] >= lts[j] - ttlUs ? best[j] : -1;
    }
  }
  return out;
}
