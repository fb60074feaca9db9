// Names and states of a model version's prediction-log files: NDJSON being written, closed NDJSON, Parquet parts, temps.
import { readdir } from "node:fs/promises";
import { hostname } from "node:os";
import { processAlive } from "../os-process.js";

/**
 * A file's stem names where and when it was opened: `predictions-<utc stamp>-<pid>-<seq>-<host>`. Stems sort in time
 * order, the writer owns `<stem>.active.ndjson`, renames it to `<stem>.ndjson` when it rotates or closes, and
 * compaction turns that into `<stem>.parquet` (written as `<stem>.parquet.<tag>.tmp`, then renamed).
 */
export const SUFFIX = { active: ".active.ndjson", closed: ".ndjson", part: ".parquet", temp: ".tmp" } as const;

const HOST = hostname().replace(/[^A-Za-z0-9_]/g, "_") || "host";
const STEM = /^predictions-(\d{4}-\d\d-\d\dT\d+Z)-(\d+)(?:-(\d+)-(\w+))?$/;

let seq = 0;

/** A new stem for a file this process opens now; the sequence number tells apart files opened in the same millisecond. */
export function newStem(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "");
  return `predictions-${stamp}-${process.pid}-${String(seq++ % 1e6).padStart(6, "0")}-${HOST}`;
}

/** True when `pid` on `host` is known to be gone: only this host's processes can be checked. */
function gone(host: string | undefined, pid: number): boolean {
  return host === HOST && pid > 0 && pid !== process.pid && !processAlive(pid);
}

/** True when the stem's writer was a process of this host that no longer runs: its active file will never grow again. */
export function writerIsGone(stem: string): boolean {
  const m = STEM.exec(stem);
  // Files from before rotation (no host) and other hosts' files cannot be checked: left to their writers.
  return m !== null && gone(m[4], Number(m[2]));
}

/** The temp name a compaction writes a part under before renaming it (unique per process and call). */
export function tempName(stem: string, tag: string): string {
  return `${stem}${SUFFIX.part}.${HOST}.${process.pid}-${tag}${SUFFIX.temp}`;
}

/** True when a temp's compaction ran in a process of this host that is gone. */
export function tempWriterIsGone(name: string): boolean {
  const m = /\.(\w+)\.(\d+)-\w+\.tmp$/.exec(name);
  return m !== null && gone(m[1], Number(m[2]));
}

/** One stem's data as the reader should take it: its Parquet part when there is one, else its NDJSON. */
export interface LogSource {
  stem: string;
  kind: "part" | "ndjson";
  /** File name inside the version folder. */
  file: string;
  /** NDJSON still open for appends by a live writer. */
  active: boolean;
  /** NDJSON left behind by a compaction that stopped after its rename (the part already holds these rows). */
  leftover: string | null;
}

export interface VersionFiles {
  sources: LogSource[];
  /** Temp files of compactions (finished or abandoned). */
  temps: string[];
}

/** The files of one version folder, oldest stem first; an absent folder has none. */
export async function listVersion(dir: string): Promise<VersionFiles> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { sources: [], temps: [] };
  }
  const stems = new Map<string, { part?: string; ndjson?: string; active?: boolean }>();
  const temps: string[] = [];
  const at = (stem: string) => {
    let s = stems.get(stem);
    if (!s) stems.set(stem, (s = {}));
    return s;
  };
  for (const f of names) {
    if (f.endsWith(SUFFIX.temp)) temps.push(f);
    else if (f.endsWith(SUFFIX.active)) Object.assign(at(f.slice(0, -SUFFIX.active.length)), { ndjson: f, active: true });
    else if (f.endsWith(SUFFIX.closed)) Object.assign(at(f.slice(0, -SUFFIX.closed.length)), { ndjson: f, active: false });
    else if (f.endsWith(SUFFIX.part)) at(f.slice(0, -SUFFIX.part.length)).part = f;
  }
  const sources: LogSource[] = [];
  for (const stem of [...stems.keys()].sort()) {
    const s = stems.get(stem)!;
    if (s.part) sources.push({ stem, kind: "part", file: s.part, active: false, leftover: s.ndjson ?? null });
    else if (s.ndjson) sources.push({ stem, kind: "ndjson", file: s.ndjson, active: s.active === true, leftover: null });
  }
  return { sources, temps };
}
