// Traffic policy for one model name: champion, canary by percentage (sticky by key), shadow, and SLO rollback of the canary.
import { ValidationError } from "../errors.js";
import { SloWindow, type SloOptions } from "./slo.js";
import type { ModelSource, RollbackDecision, Role, Route, ServedModel } from "./types.js";

export interface RouterOptions {
  /** The champion (e.g. the `production` alias). */
  primary: ModelSource;
  /** The challenger answering `canaryPercent` of requests. */
  canary?: ModelSource;
  canaryPercent?: number;
  /** Scores every request after the answer is sent; its answers are logged, never returned. */
  shadow?: ModelSource;
  /** When the canary breaches this SLO it stops receiving traffic and `onRollback` is told. */
  slo?: SloOptions;
  onRollback?: (d: RollbackDecision) => void;
  /** Randomness for requests without a sticky key. */
  random?: () => number;
  /** How often (in canary requests) the SLO window is evaluated; default 20. */
  sloEvery?: number;
}

/** FNV-1a: a fast, stable 32-bit hash so one key always lands on the same side of the split. */
export function stickyBucket(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 10_000;
}

export class TrafficRouter implements ModelSource {
  private percent: number;
  private readonly random: () => number;
  private window: SloWindow | null;
  private sinceCheck = 0;
  private rolledBack: RollbackDecision | null = null;

  constructor(private readonly opts: RouterOptions) {
    this.percent = 0;
    this.setCanaryPercent(opts.canaryPercent ?? 0);
    this.random = opts.random ?? Math.random;
    this.window = opts.canary && opts.slo ? new SloWindow(opts.slo) : null;
  }

  current(): ServedModel | null {
    return this.opts.primary.current();
  }

  canaryPercent(): number {
    return this.percent;
  }

  /** The decision taken when the canary breached its SLO, if it did. */
  rollback(): RollbackDecision | null {
    return this.rolledBack;
  }

  setCanaryPercent(p: number): void {
    if (!(p >= 0 && p <= 100)) throw new ValidationError(`canary percent must be between 0 and 100, got ${p}`, { path: "canaryPercent", hint: "e.g. 10 sends one request in ten to the canary" });
    this.percent = p;
    if (p > 0 && this.rolledBack) {
      // Re-opening traffic to a canary starts a fresh SLO window.
      this.rolledBack = null;
      this.window = this.opts.canary && this.opts.slo ? new SloWindow(this.opts.slo) : null;
    }
  }

  route(key: string | null): Route {
    const primary = this.opts.primary.current();
    const shadow = this.opts.shadow?.current() ?? null;
    const canary = this.percent > 0 ? (this.opts.canary?.current() ?? null) : null;
    if (canary && primary) {
      const bucket = key !== null ? stickyBucket(key) : Math.floor(this.random() * 10_000);
      if (bucket < this.percent * 100) return { served: canary, role: "canary", shadow, report: this.reportCanary };
    }
    // With no champion loaded yet a canary alone answers everything.
    if (!primary && canary) return { served: canary, role: "canary", shadow, report: this.reportCanary };
    return { served: primary, role: "primary", shadow };
  }

  list(): Array<{ served: ServedModel; role: Role; percent?: number }> {
    const out: Array<{ served: ServedModel; role: Role; percent?: number }> = [];
    const p = this.opts.primary.current();
    const c = this.opts.canary?.current();
    const s = this.opts.shadow?.current();
    if (p) out.push({ served: p, role: "primary", percent: c ? 100 - this.percent : 100 });
    if (c) out.push({ served: c, role: "canary", percent: this.percent });
    if (s) out.push({ served: s, role: "shadow", percent: 0 });
    return out;
  }

  private readonly reportCanary = (served: ServedModel, ok: boolean, latencyMs: number): void => {
    if (!this.window || this.rolledBack) return;
    this.window.record(ok, latencyMs);
    // A failure is checked at once; successes only every few requests (sorting the window costs).
    if (ok && ++this.sinceCheck < (this.opts.sloEvery ?? 20)) return;
    this.sinceCheck = 0;
    const v = this.window.verdict();
    if (!v.breached) return;
    this.percent = 0;
    const p = served.provenance;
    this.rolledBack = {
      model: p.model,
      version: p.version,
      alias: p.alias,
      reason: v.reason,
      errorRate: v.errorRate,
      p99Ms: v.p99Ms,
      requests: v.requests,
      windowMs: this.opts.slo?.windowMs ?? 60_000,
      at: new Date().toISOString(),
    };
    try {
      this.opts.onRollback?.(this.rolledBack);
    } catch {
      // The callback (the registry move) failing must not fail the request that tripped it.
    }
  };
}
