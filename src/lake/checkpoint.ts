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

/** The set of "<key>#<hash>" ingested up to and including `upTo`, read from the cache plus newer manifests. */
export function loadCheckpoint(root: string, table: string, upTo: number): Set<string> {
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
  for (let v = cache.version + 1; v <= upTo; v++) {
    const m = readManifest(root, { table, version: v });
    const sources = (m?.info?.sourceFiles ?? []) as SourceFileRecord[];
    // A re-saved file replaced its earlier content: only its newest hash counts as ingested, so saving the old
    // content back is a change again.
    for (const r of (m?.info?.replaced ?? []) as { key: string }[]) forgetHashes(seen, r.key);
    for (const s of sources) seen.add(checkpointKey(s.key, s.hash));
  }
  return seen;
}

/** Drops every "<key>#<hash>" of one source key. */
export function forgetHashes(seen: Set<string>, key: string): void {
  const prefix = `${key}#`;
  for (const k of seen) if (k.startsWith(prefix)) seen.delete(k);
}

/** Refreshes the cache after a commit; losing it is harmless since manifests are the truth. */
export function saveCheckpoint(root: string, table: string, version: number, seen: Set<string>): void {
  writeFileAtomic(path.join(tableDir(root, table), "_checkpoint.json"), JSON.stringify({ version, seen: [...seen] }));
}
