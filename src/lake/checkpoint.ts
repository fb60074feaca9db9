// Which source files a table has ingested (by path + content hash): derived from the committed manifests,
// so a file counts as ingested exactly when the version holding its rows is committed; cached in one file.
import fs from "node:fs";
import path from "node:path";
import { readManifest, tableDir, writeFileAtomic } from "./table-log.js";

/** One ingested source file, as recorded in the manifest of the version that appended it. */
export interface SourceFileRecord {
  /** Absolute path at ingest time. */
  path: string;
  /** Path relative to the lake root: the checkpoint key, stable when the whole project folder moves. */
  key: string;
  hash: string;
  rows: number;
  badRows: number;
  error?: string;
}

interface CheckpointCache {
  version: number;
  seen: string[];
}

export const checkpointKey = (key: string, hash: string) => `${key}#${hash}`;

/** The checkpoint as this process last saw it, per table: reading and parsing the whole cache file on every push
 *  cost time linear in the versions (one record batch adds one entry). */
const memo = new Map<string, { version: number; seen: Set<string>; diskVersion: number }>();

/** The cache file is rewritten at most once per this many versions (manifests after it are replayed on load). */
export const CHECKPOINT_EVERY = 64;

/** Adds versions (from, upTo] to `seen`; false when a manifest in that range is gone (vacuumed). */
function replay(root: string, table: string, seen: Set<string>, from: number, upTo: number, strict: boolean): boolean {
  for (let v = from + 1; v <= upTo; v++) {
    const m = readManifest(root, { table, version: v });
    if (!m && strict) return false;
    const sources = (m?.info?.sourceFiles ?? []) as SourceFileRecord[];
    // A re-saved file replaced its earlier content: only its newest hash counts as ingested, so saving the old
    // content back is a change again.
    for (const r of (m?.info?.replaced ?? []) as { key: string }[]) forgetHashes(seen, r.key);
    // A forgotten file that had no rows is read again by the next run.
    for (const key of ((m?.info?.forgotten as { keys?: string[] } | undefined)?.keys ?? [])) forgetHashes(seen, key);
    // A revert brings back the records of the version it went back to (revert.ts ingestRecordsAt).
    const reverted = m?.info?.ingestRecords as { restored?: string[]; forgotten?: string[] } | undefined;
    for (const key of reverted?.forgotten ?? []) forgetHashes(seen, key);
    for (const k of reverted?.restored ?? []) seen.add(k);
    for (const s of sources) seen.add(checkpointKey(s.key, s.hash));
  }
  return true;
}

/** The set of "<key>#<hash>" ingested up to and including `upTo`, read from the cache plus newer manifests. */
export function loadCheckpoint(root: string, table: string, upTo: number): Set<string> {
  const id = `${root}\0${table}`;
  const mem = memo.get(id);
  if (mem && mem.version <= upTo) {
    // A copy: the caller adds entries for a version that may never commit.
    const seen = new Set(mem.seen);
    if (replay(root, table, seen, mem.version, upTo, true)) return seen;
  }
  const file = path.join(tableDir(root, table), "_checkpoint.json");
  let cache: CheckpointCache = { version: 0, seen: [] };
  try {
    cache = JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointCache;
  } catch {
    cache = { version: 0, seen: [] };
  }
  // A cache newer than the log cannot be trusted (it would claim files whose version never committed).
  if (cache.version > upTo) cache = { version: 0, seen: [] };
  const seen = new Set(cache.seen);
  replay(root, table, seen, cache.version, upTo, false);
  memo.set(id, { version: upTo, seen: new Set(seen), diskVersion: cache.version });
  return seen;
}

/** Drops every "<key>#<hash>" of one source key. */
export function forgetHashes(seen: Set<string>, key: string): void {
  const prefix = `${key}#`;
  for (const k of seen) if (k.startsWith(prefix)) seen.delete(k);
}

/**
 * Refreshes the cache after a commit; losing it is harmless since manifests are the truth. The file is written
 * every CHECKPOINT_EVERY versions, or now with `force` (vacuum, before it removes the manifests to replay).
 */
export function saveCheckpoint(root: string, table: string, version: number, seen: Set<string>, opts: { force?: boolean } = {}): void {
  const id = `${root}\0${table}`;
  const diskVersion = memo.get(id)?.diskVersion ?? 0;
  const write = opts.force || version - diskVersion >= CHECKPOINT_EVERY || version < diskVersion;
  if (write) writeFileAtomic(path.join(tableDir(root, table), "_checkpoint.json"), JSON.stringify({ version, seen: [...seen] }));
  memo.set(id, { version, seen: new Set(seen), diskVersion: write ? version : diskVersion });
}
