// Which files of a model version's log a read takes, opened: Parquet parts, and NDJSON read whole or from its end.
import { join } from "node:path";
import type { Prediction } from "../records.js";
import { listVersion, SUFFIX, type LogSource } from "./log-files.js";
import { ndjsonPredictions, tailPredictions } from "./log-ndjson.js";
import { leafValue } from "./log-frame.js";
import { leafKey, readLeaf, readParquetFile, type LeafInfo, type ParquetFile } from "./parquet-read.js";

export interface ReadLogOptions {
  /** Only predictions made at or after / before these ISO times. */
  since?: string;
  until?: string;
  /** Keep at most the last `limit` predictions (the most recent traffic). */
  limit?: number;
}

/** A source ready to read: an opened part, an NDJSON file's newest predictions already read, or an NDJSON path. */
export type Opened = { src: LogSource; part: ParquetFile | null; tail: Prediction[] | null; skipped: number };

export const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === "ENOENT";

/** Which leaves of a part a reader needs (the rest are not read from disk). */
export type Want = (leaf: LeafInfo) => boolean;

/** Opens a part (loading the leaves wanted, and `at` when a time window needs it); NDJSON is read later, line by line. */
async function openSource(dir: string, src: LogSource, want: Want, opts: ReadLogOptions): Promise<Opened> {
  if (src.kind === "ndjson") return { src, part: null, tail: null, skipped: 0 };
  const timed = Boolean(opts.since || opts.until);
  const part = await readParquetFile(join(dir, src.file), src.file, (l) => want(l) || (timed && l.path.length === 1 && l.path[0] === "at"));
  return { src, part, tail: null, skipped: 0 };
}

/**
 * The sources to read, oldest first. With a `limit` and no time window only the newest sources that hold `limit` rows
 * are taken: parts by the row counts in their footers, NDJSON files read from their end as far as the limit needs.
 */
export async function sourcesFor(dir: string, opts: ReadLogOptions, want: Want): Promise<Opened[]> {
  const { sources } = await listVersion(dir);
  const tail = opts.limit !== undefined && !opts.since && !opts.until;
  let need = tail ? opts.limit! : Infinity;
  const out: Opened[] = [];
  for (let i = sources.length - 1; i >= 0 && need > 0; i--) {
    let o = await openSource(dir, sources[i], want, opts);
    if (!o.part && tail) {
      try {
        const t = await tailPredictions(join(dir, o.src.file), need);
        o = { ...o, tail: t.predictions, skipped: t.skippedLines };
      } catch (e) {
        if (!isMissing(e)) throw e;
        o = await openSource(dir, { ...o.src, kind: "part", file: o.src.stem + SUFFIX.part }, want, opts).catch((e2: unknown) => {
          if (isMissing(e2)) return { ...o, tail: [] };
          throw e2;
        });
      }
    }
    need -= o.part ? o.part.rows : (o.tail?.length ?? 0);
    out.push(o);
  }
  return out.reverse();
}

/** Rows of a part inside the time window, or null for all of them. */
export function rowsInWindow(part: ParquetFile, opts: Pick<ReadLogOptions, "since" | "until">): Int32Array | null {
  if (!opts.since && !opts.until) return null;
  const at = readLeaf(part, leafKey(["at"]), "timestamp_ms");
  const lo = opts.since ? Date.parse(opts.since) : -Infinity;
  const hi = opts.until ? Date.parse(opts.until) : Infinity;
  const keep: number[] = [];
  for (let i = 0; i < part.rows; i++) {
    const t = leafValue(at, i) as number | null;
    if (t !== null && t >= lo && t < hi) keep.push(i);
  }
  return Int32Array.from(keep);
}

export const skippedIn = (part: ParquetFile) => Number(part.meta.get("millrace.skipped_lines") ?? 0) || 0;

/**
 * Reads each source in order: `onPart` gets opened parts, `onPrediction` the predictions of NDJSON files; `onRows`
 * hears first how many rows the parts hold.
 */
export async function walkSources(
  dir: string,
  opts: ReadLogOptions,
  want: Want,
  onPart: (part: ParquetFile, rows: Int32Array | null) => void,
  onPrediction: (p: Prediction) => void,
  onRows?: (partRows: number) => void,
): Promise<number> {
  let skipped = 0;
  const sources = await sourcesFor(dir, opts, want);
  onRows?.(sources.reduce((n, o) => n + (o.part?.rows ?? 0), 0));
  for (const o of sources) {
    let part = o.part;
    if (o.tail) {
      for (const p of o.tail) onPrediction(p);
      skipped += o.skipped;
      continue;
    }
    if (!part) {
      try {
        skipped += await ndjsonPredictions(join(dir, o.src.file), opts, onPrediction);
        continue;
      } catch (e) {
        if (!isMissing(e)) throw e;
        // Compacted since the listing: its part holds the same rows.
        try {
          part = (await openSource(dir, { ...o.src, kind: "part", file: o.src.stem + SUFFIX.part }, want, opts)).part!;
        } catch (e2) {
          if (isMissing(e2)) continue;
          throw e2;
        }
      }
    }
    onPart(part, rowsInWindow(part, opts));
    skipped += skippedIn(part);
  }
  return skipped;
}

