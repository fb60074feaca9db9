// File-watch ingest: picks up landing files as they arrive (fs.watch for promptness, polling as the safety net)
// and ingests each once it has stopped growing; the checkpoint makes repeated sightings harmless.
import fs from "node:fs";
import type { IngestOptions, IngestResult } from "./ingest.js";
import type { Lake } from "./lake.js";

export interface WatchOptions extends IngestOptions {
  /** The folder to watch. */
  dir: string;
  /** The files to consider (e.g. () => listLandingFiles(dir, "*.csv")). */
  list: () => string[];
  /** Poll period, ms (default 500). */
  intervalMs?: number;
  /** A file must keep the same size and mtime this long before it is read (default 300 ms). */
  settleMs?: number;
  onIngest?: (r: IngestResult) => void;
  onError?: (e: unknown) => void;
}

export interface Watcher {
  /** Stops watching; resolves after an ingest in progress has committed. */
  stop(): Promise<void>;
}

export function watchLanding(lake: Lake, table: string, opts: WatchOptions): Watcher {
  const seen = new Map<string, { size: number; mtime: number; since: number }>();
  const settle = opts.settleMs ?? 300;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  let scheduled = false;

  const scan = async () => {
    const ready: string[] = [];
    const now = Date.now();
    for (const f of opts.list()) {
      let st: fs.Stats;
      try {
        st = fs.statSync(f);
      } catch {
        continue; // removed between listing and stat
      }
      const prev = seen.get(f);
      if (!prev || prev.size !== st.size || prev.mtime !== st.mtimeMs) seen.set(f, { size: st.size, mtime: st.mtimeMs, since: now });
      else if (now - prev.since >= settle) ready.push(f);
    }
    if (!ready.length) return;
    const r = await lake.ingestFiles(table, ready, opts);
    if (r.version) opts.onIngest?.(r);
  };
  const tick = () => {
    if (stopped || scheduled) return;
    scheduled = true;
    busy = busy.then(async () => {
      scheduled = false;
      if (stopped) return;
      try {
        await scan();
      } catch (e) {
        opts.onError?.(e);
      }
    });
  };
  const timer = setInterval(tick, opts.intervalMs ?? 500);
  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(opts.dir, { recursive: false }, () => tick());
  } catch {
    watcher = null; // the folder may not exist yet: polling still finds files once it does
  }
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      watcher?.close();
      await busy;
    },
  };
}
