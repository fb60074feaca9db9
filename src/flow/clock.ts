// Time as a resource: the DAG runner's retry delays and timeouts and the scheduler's ticks ask a Clock, so tests
// drive a simulated day with ManualClock instead of sleeping.

export interface Clock {
  now(): Date;
  /** Resolves after `ms`; rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error("aborted");
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

interface Sleeper {
  at: number;
  resolve(): void;
}

/** A clock that moves only when told to: `advance` wakes every sleeper whose time has come, in time order. */
export class ManualClock implements Clock {
  private t: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  /** Jumps to `at` without waking anyone (a scheduler restarted later, say). */
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }

  /** How many sleeps are waiting. */
  get pending(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const sleeper: Sleeper = {
        at: this.t + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Moves time forward by `ms`, stopping at each sleeper's time to wake it and let its continuation run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.t = end;
    await settle();
  }

  /**
   * Resolves once `n` sleeps are waiting (the code under test reached its timers), yielding to the event loop
   * meanwhile so database I/O can finish; gives up after `patienceMs` of real time.
   */
  async untilPending(n = 1, patienceMs = 10_000): Promise<void> {
    const giveUp = Date.now() + patienceMs;
    while (this.sleepers.length < n && Date.now() < giveUp) await settle();
    if (this.sleepers.length < n) throw new Error(`ManualClock: ${this.sleepers.length} sleeps pending, expected ${n}`);
  }
}

/** Lets pending promise continuations (and I/O callbacks already due) run. */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
