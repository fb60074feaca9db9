// Watches one model's outcomes over a sliding window and says when its error rate or p99 latency breaches a declared SLO.

export interface SloOptions {
  /** Largest tolerated share of failed requests (model errors, not client 4xx), e.g. 0.01. */
  maxErrorRate?: number;
  /** Largest tolerated p99 latency in milliseconds. */
  maxP99Ms?: number;
  /** Window the rates are computed over; default 60 s. */
  windowMs?: number;
  /** No verdict before this many requests in the window; default 100. */
  minRequests?: number;
}

export interface SloVerdict {
  breached: boolean;
  reason: string;
  errorRate: number;
  p99Ms: number;
  requests: number;
}

/** A ring buffer of (time, ok, latency) with the window's statistics computed on demand. */
export class SloWindow {
  private readonly at: Float64Array;
  private readonly ms: Float64Array;
  private readonly ok: Uint8Array;
  private next = 0;
  private size = 0;

  constructor(
    private readonly opts: SloOptions,
    capacity = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.at = new Float64Array(capacity);
    this.ms = new Float64Array(capacity);
    this.ok = new Uint8Array(capacity);
  }

  record(ok: boolean, latencyMs: number): void {
    this.at[this.next] = this.now();
    this.ms[this.next] = latencyMs;
    this.ok[this.next] = ok ? 1 : 0;
    this.next = (this.next + 1) % this.at.length;
    if (this.size < this.at.length) this.size++;
  }

  verdict(): SloVerdict {
    const since = this.now() - (this.opts.windowMs ?? 60_000);
    const lat: number[] = [];
    let failed = 0;
    for (let k = 0; k < this.size; k++) {
      if (this.at[k] < since) continue;
      lat.push(this.ms[k]);
      if (!this.ok[k]) failed++;
    }
    const n = lat.length;
    lat.sort((a, b) => a - b);
    const p99Ms = n === 0 ? 0 : lat[Math.min(n - 1, Math.ceil(0.99 * n) - 1)];
    const errorRate = n === 0 ? 0 : failed / n;
    const base = { errorRate, p99Ms, requests: n };
    if (n < (this.opts.minRequests ?? 100)) return { breached: false, reason: "too few requests", ...base };
    if (this.opts.maxErrorRate !== undefined && errorRate > this.opts.maxErrorRate) {
      return { breached: true, reason: `error rate ${(errorRate * 100).toFixed(2)}% > ${(this.opts.maxErrorRate * 100).toFixed(2)}%`, ...base };
    }
    if (this.opts.maxP99Ms !== undefined && p99Ms > this.opts.maxP99Ms) {
      return { breached: true, reason: `p99 latency ${p99Ms.toFixed(2)} ms > ${this.opts.maxP99Ms} ms`, ...base };
    }
    return { breached: false, reason: "within SLO", ...base };
  }
}

export interface OutcomeSnapshot {
  model: string;
  version: number;
  errorRate: number;
  p99Ms: number;
  requests: number;
}

/** One SloWindow per served model version, fed by every answer: the error-rate and latency signals for alert rules. */
export class OutcomeWatch {
  private readonly windows = new Map<string, { model: string; version: number; w: SloWindow }>();

  constructor(private readonly opts: { windowMs?: number; capacity?: number } = {}) {}

  record(model: string, version: number, ok: boolean, latencyMs: number): void {
    const key = `${model}@${version}`;
    let e = this.windows.get(key);
    if (!e) this.windows.set(key, (e = { model, version, w: new SloWindow({ windowMs: this.opts.windowMs, minRequests: 0 }, this.opts.capacity ?? 10_000) }));
    e.w.record(ok, latencyMs);
  }

  /** Error rate and p99 of every version seen, over the window (versions with no recent traffic report 0 requests). */
  snapshot(): OutcomeSnapshot[] {
    return [...this.windows.values()].map(({ model, version, w }) => {
      const v = w.verdict();
      return { model, version, errorRate: v.errorRate, p99Ms: v.p99Ms, requests: v.requests };
    });
  }
}
