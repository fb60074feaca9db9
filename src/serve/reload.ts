// Hot reload: polls what should be served (an alias in the registry, moved by this or another process) and swaps models atomically.
import type { ModelSource, ServedModel } from "./types.js";

export interface ModelResolver {
  /** A key naming what should be served now (e.g. "churn@7"); null when nothing is. Called on every poll: keep it cheap. */
  resolve(): Promise<string | null>;
  /** Loads the model a key names (read the artifact, deserialize). */
  load(key: string): Promise<ServedModel>;
}

export interface ReloadOptions {
  /** Poll interval; default 2 s. 0 disables polling (reload() only). */
  intervalMs?: number;
  onSwap?: (from: ServedModel | null, to: ServedModel, key: string) => void;
  /** A failed resolve or load: the previous model keeps serving. */
  onError?: (e: unknown) => void;
}

export interface ReloadResult {
  changed: boolean;
  key: string | null;
}

/**
 * Serves the last successfully loaded model. A request takes the model object once (current()) and keeps it, so a
 * swap never changes or fails a request already in flight; the old object is collected when the last one finishes.
 */
export class ReloadingSource implements ModelSource {
  private model: ServedModel | null = null;
  private key: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private inProgress: Promise<ReloadResult> | null = null;

  constructor(
    private readonly resolver: ModelResolver,
    private readonly opts: ReloadOptions = {},
  ) {}

  current(): ServedModel | null {
    return this.model;
  }

  currentKey(): string | null {
    return this.key;
  }

  /** Loads the first model (when there is one), then polls in the background. */
  async start(): Promise<ReloadResult> {
    const first = await this.reload().catch((e: unknown) => {
      this.opts.onError?.(e);
      return { changed: false, key: null };
    });
    const every = this.opts.intervalMs ?? 2000;
    if (every > 0 && this.timer === null) {
      this.timer = setInterval(() => {
        this.reload().catch((e: unknown) => this.opts.onError?.(e));
      }, every);
      this.timer.unref();
    }
    return first;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Checks now; concurrent calls share one check. Rejects when resolve or load fails (the old model stays). */
  reload(): Promise<ReloadResult> {
    if (!this.inProgress) {
      this.inProgress = this.check().finally(() => {
        this.inProgress = null;
      });
    }
    return this.inProgress;
  }

  private async check(): Promise<ReloadResult> {
    const key = await this.resolver.resolve();
    if (key === null || key === this.key) return { changed: false, key: this.key };
    const next = await this.resolver.load(key);
    const prev = this.model;
    this.model = next;
    this.key = key;
    this.opts.onSwap?.(prev, next, key);
    return { changed: true, key };
  }
}
