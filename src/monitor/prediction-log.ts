// The prediction log: a bounded in-memory queue, flushed in batches to NDJSON files per model version; never blocks a request.
import { appendFile, mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import type { AnsweredRequest, Prediction } from "../records.js";
import { newStem, SUFFIX } from "./log-files.js";

/**
 * A whole answered request: logged as one line. `requestBytes` is the body as received, copied without re-encoding;
 * `requestParts` / `responseParts` are JSON texts whose concatenation is the request / response (large answers stay
 * pieces of regular size: one flat string of 100s of KB is a large-object allocation, page faults on every request).
 */
export type LoggedRequest = AnsweredRequest & { requestBytes?: Uint8Array; requestParts?: readonly string[]; responseParts?: readonly string[] };

type Entry = Prediction | LoggedRequest;
const isRequest = (e: Entry): e is LoggedRequest => (e as LoggedRequest).ids !== undefined;
const sizeOf = (e: Entry): number => (isRequest(e) ? e.ids.length : 1);

/** JSON texts may be pretty-printed; their raw newlines can only be whitespace, so they become spaces in NDJSON. */
const oneLine = (s: string): string => (s.indexOf("\n") < 0 && s.indexOf("\r") < 0 ? s : s.replace(/[\r\n]/g, " "));

/** A JSON body's bytes as text, without a leading byte-order mark (JSON.parse refuses one). */
const bytesText = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8", bomLength(b));
const bomLength = (b: Uint8Array): number => (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);

/**
 * One NDJSON line per request: {model, version, alias, at, latencyMs, request, response: {predictions, ids}}; the request
 * is the body as received: {records} from /predict, {inputs: [tensors]} from KServe V2 (readers: v2-tensors.ts).
 * With the texts at hand it is string concatenation, which is what keeps logging cheap on 1,000-record batches.
 */
export function requestLine(r: LoggedRequest): string {
  const request = r.requestJson ?? r.requestParts?.join("") ?? (r.requestBytes !== undefined ? bytesText(r.requestBytes) : undefined);
  const response = r.responseJson ?? r.responseParts?.join("");
  if (request !== undefined && response !== undefined) {
    return `{"model":${JSON.stringify(r.model)},"version":${r.version},"alias":${JSON.stringify(r.alias)},"at":${JSON.stringify(r.at)},"latencyMs":${r.latencyMs},"request":${oneLine(request)},"response":${oneLine(response)}}`;
  }
  return JSON.stringify({ model: r.model, version: r.version, alias: r.alias, at: r.at, latencyMs: r.latencyMs, request: { records: r.records }, response: { predictions: r.outputs, ids: r.ids } });
}

export interface PredictionLogOptions {
  /** Folder under which `<model>/<version>/` files are written. */
  dir: string;
  /** Entries held in memory at most; when full, new entries are dropped and counted. Default 50,000. */
  capacity?: number;
  /** A flush starts once this many entries wait; default 2,000. */
  batchSize?: number;
  /** …or this long after the first waiting entry; default 250 ms. */
  flushIntervalMs?: number;
  /** Share of predictions kept, 0..1; default 1 (all). */
  sampleRate?: number;
  /** Source of randomness for sampling (tests make it deterministic). */
  random?: () => number;
  /** The file being appended to is closed (and left to compaction) once it holds this many bytes; default 32 MiB. */
  rotateBytes?: number;
  /** …or once it is this old when a batch is written; default 5 minutes. */
  rotateMs?: number;
  /** Encode accepted entries after the current I/O callbacks (setImmediate), once for all that arrived together, so
   *  the answer is written before its log line is encoded; false encodes each at once. Default true. */
  encodeLater?: boolean;
  /** Called when a batch cannot be written (disk full...); the batch is counted as dropped. */
  onWriteError?: (e: unknown) => void;
}

export interface PredictionLogStats {
  accepted: number;
  sampledOut: number;
  dropped: number;
  written: number;
  pending: number;
}

/** Model names become one safe path segment; the version is a number. */
export function versionDir(root: string, model: string, version: number): string {
  const safe = model.replace(/[^A-Za-z0-9._-]/g, "_") || "_";
  return join(root, safe, String(version));
}

/** Encoded lines of one model version waiting for the next write. */
interface Pending {
  key: string;
  model: string;
  version: number;
  dir: string;
  buf: Buffer;
  used: number;
  records: number;
}

const INITIAL_BYTES = 256 * 1024;
/** New buffers are made at most this big up front, whatever a burst of large requests reached. */
const MAX_HINT_BYTES = 16 * 1024 * 1024;

export class PredictionLog {
  /** Lines are encoded into per-version byte buffers as they arrive: nothing waits on the JS heap (where a queue of
   *  strings and objects living ~250 ms would be promoted and make the garbage collector the main cost). */
  private pending = new Map<string, Pending>();
  private lastPending: Pending | null = null;
  /** Answers of one millisecond share their time: its JSON is made once. */
  private lastAt = "";
  private lastAtJson = '""';
  /** Buffers whose bytes are on disk, kept for reuse (two per version at most). */
  private readonly spare = new Map<string, Buffer[]>();
  /** The most bytes a flushed batch held (capped): new buffers start at this size. */
  private sizeHint = 0;
  private queuedRecords = 0;
  /** Accepted entries not yet encoded (encodeLater), and their record count. */
  private later: Entry[] = [];
  private laterRecords = 0;
  private immediate: NodeJS.Immediate | null = null;
  private readonly encodeLater: boolean;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly made = new Set<string>();
  /** The file each version folder appends to: its own per process, so replicas and cluster workers never interleave lines. */
  private readonly open = new Map<string, { stem: string; bytes: number; openedAt: number }>();
  private readonly stat = { accepted: 0, sampledOut: 0, dropped: 0, written: 0 };
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly sampleRate: number;
  private readonly random: () => number;
  private readonly rotateBytes: number;
  private readonly rotateMs: number;
  private closed = false;

  constructor(private readonly opts: PredictionLogOptions) {
    this.rotateBytes = opts.rotateBytes ?? 32 * 1024 * 1024;
    this.rotateMs = opts.rotateMs ?? 5 * 60 * 1000;
    this.capacity = opts.capacity ?? 50_000;
    this.batchSize = opts.batchSize ?? 2_000;
    this.intervalMs = opts.flushIntervalMs ?? 250;
    this.sampleRate = opts.sampleRate ?? 1;
    this.random = opts.random ?? Math.random;
    this.encodeLater = opts.encodeLater ?? true;
  }

  /** Never throws, never waits: sample, encode into the buffer, or drop. */
  log(p: Prediction): void {
    this.enqueue(p);
  }

  /** A whole request: sampled, kept or dropped as one (its records count against the capacity). */
  logRequest(r: LoggedRequest): void {
    this.enqueue(r);
  }

  private enqueue(e: Entry): void {
    const n = sizeOf(e);
    if (this.sampleRate < 1 && this.random() >= this.sampleRate) {
      this.stat.sampledOut += n;
      return;
    }
    if (this.closed || this.queuedRecords + this.laterRecords + this.inFlight + n > this.capacity) {
      this.stat.dropped += n;
      return;
    }
    if (!this.encodeLater) return this.encode(e, n);
    // The entry holds only what the request made anyway (its texts, the body's bytes, records, answers).
    this.later.push(e);
    this.laterRecords += n;
    this.immediate ??= setImmediate(this.encodeWaiting);
  }

  /** Encodes every accepted entry still waiting (an arrow: setImmediate calls it without `this`). */
  private readonly encodeWaiting = (): void => {
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    const list = this.later;
    if (list.length === 0) return;
    this.later = [];
    this.laterRecords = 0;
    for (const e of list) this.encode(e, sizeOf(e));
  };

  private encode(e: Entry, n: number): void {
    // Traffic is nearly always one model version: the last one's buffer is found without building a key.
    let p = this.lastPending;
    if (p === null || p.model !== e.model || p.version !== e.version) {
      const key = `${e.model}\u0000${e.version}`;
      p = this.pending.get(key) ?? null;
      if (!p) {
        // A buffer written before is reused: fresh large buffers cost page faults (system time) on every flush.
        // A new one starts at the size the last batches reached: growing by doubling copies what it holds each time.
        const buf = this.spare.get(key)?.pop() ?? Buffer.allocUnsafe(Math.max(INITIAL_BYTES, this.sizeHint));
        this.pending.set(key, (p = { key, model: e.model, version: e.version, dir: versionDir(this.opts.dir, e.model, e.version), buf, used: 0, records: 0 }));
      }
      this.lastPending = p;
    }
    if (isRequest(e) && (e.requestJson !== undefined || e.requestParts !== undefined || e.requestBytes !== undefined) && (e.responseJson !== undefined || e.responseParts !== undefined)) {
      if (e.at !== this.lastAt) this.lastAtJson = JSON.stringify((this.lastAt = e.at));
      const head = `${this.head(e)}${this.lastAtJson},"latencyMs":${e.latencyMs},"request":`;
      // The body's bytes are copied when large, or when they are all there is (a KServe V2 body is logged as received).
      const big = e.requestBytes !== undefined && (e.requestBytes.length > 2048 || (e.requestJson === undefined && e.requestParts === undefined));
      if (!big && e.requestParts === undefined && e.responseParts === undefined) {
        // Small texts go in one string write, which costs less than several calls.
        this.put(p, `${head}${oneLine(e.requestJson!)},"response":${oneLine(e.responseJson!)}}\n`);
      } else {
        // Big bodies are copied as the bytes received (a memcpy); pieces are written one by one.
        this.put(p, head);
        if (big) this.putJsonBytes(p, e.requestBytes!);
        else if (e.requestParts !== undefined) for (const part of e.requestParts) this.put(p, oneLine(part));
        else this.put(p, oneLine(e.requestJson!));
        this.put(p, ',"response":');
        if (e.responseParts !== undefined) for (const part of e.responseParts) this.put(p, oneLine(part));
        else this.put(p, oneLine(e.responseJson!));
        this.put(p, "}\n");
      }
    } else this.put(p, `${isRequest(e) ? requestLine(e) : JSON.stringify(e)}\n`);
    p.records += n;
    this.queuedRecords += n;
    this.stat.accepted += n;
    if (this.queuedRecords >= this.batchSize) this.scheduleFlush(0);
    else if (this.timer === null) this.scheduleFlush(this.intervalMs);
  }

  /** `{"model":…,"version":…,"alias":…,"at":` of the last request's model version and alias (they rarely change). */
  private last = { model: "", version: NaN, alias: null as string | null, head: "" };

  private head(r: LoggedRequest): string {
    const l = this.last;
    if (r.model !== l.model || r.version !== l.version || r.alias !== l.alias) {
      this.last = { model: r.model, version: r.version, alias: r.alias, head: `{"model":${JSON.stringify(r.model)},"version":${r.version},"alias":${JSON.stringify(r.alias)},"at":` };
    }
    return this.last.head;
  }

  /** Room for `bytes` more bytes in the pending buffer (grown by copying when needed). */
  private room(p: Pending, bytes: number): void {
    if (p.used + bytes <= p.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(p.buf.length * 2, p.used + bytes));
    p.buf.copy(bigger, 0, 0, p.used);
    p.buf = bigger;
  }

  private put(p: Pending, s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only when that worst case might not fit is the exact length
    // counted (a second pass over the text).
    if (p.used + s.length * 3 > p.buf.length) this.room(p, Buffer.byteLength(s, "utf8"));
    p.used += p.buf.write(s, p.used, "utf8");
  }

  /** JSON bytes copied as they are; raw CR/LF (whitespace in valid JSON) become spaces so the line stays one line. */
  private putJsonBytes(p: Pending, body: Uint8Array): void {
    const bom = bomLength(body);
    const b = bom === 0 ? body : body.subarray(bom);
    this.room(p, b.length);
    p.buf.set(b, p.used);
    if (b.indexOf(0x0a) >= 0 || b.indexOf(0x0d) >= 0) {
      for (let i = p.used, end = p.used + b.length; i < end; i++) if (p.buf[i] === 0x0a || p.buf[i] === 0x0d) p.buf[i] = 0x20;
    }
    p.used += b.length;
  }

  dropped(): number {
    return this.stat.dropped;
  }

  stats(): PredictionLogStats {
    return { ...this.stat, pending: this.queuedRecords + this.laterRecords + this.inFlight };
  }

  private scheduleFlush(delay: number): void {
    if (this.timer !== null) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
    // A pending log flush alone must not keep a process alive; close() flushes what is left.
    this.timer.unref();
  }

  /** Writes everything buffered so far; resolves when it is on disk. Writes run one at a time, in order. */
  flush(): Promise<void> {
    this.encodeWaiting();
    if (this.queuedRecords === 0) return this.writing;
    const batch = [...this.pending.values()].filter((p) => p.records > 0);
    for (const p of batch) if (p.used > this.sizeHint) this.sizeHint = Math.min(p.used, MAX_HINT_BYTES);
    const n = this.queuedRecords;
    // Fresh buffers for what arrives while this batch is written.
    this.pending = new Map();
    this.lastPending = null;
    this.queuedRecords = 0;
    this.inFlight += n;
    this.writing = this.writing.then(() => this.write(batch)).finally(() => (this.inFlight -= n));
    return this.writing;
  }

  private async write(batch: Pending[]): Promise<void> {
    for (const { key, dir, buf, used, records } of batch) {
      try {
        if (!this.made.has(dir)) {
          await mkdir(dir, { recursive: true });
          this.made.add(dir);
        }
        let file = this.open.get(dir);
        if (!file) this.open.set(dir, (file = { stem: newStem(), bytes: 0, openedAt: Date.now() }));
        await appendFile(join(dir, file.stem + SUFFIX.active), buf.subarray(0, used));
        this.stat.written += records;
        file.bytes += used;
      } catch (e) {
        this.stat.dropped += records;
        this.opts.onWriteError?.(e);
      }
      const file = this.open.get(dir);
      if (file && (file.bytes >= this.rotateBytes || Date.now() - file.openedAt >= this.rotateMs)) await this.rotate(dir).catch((e: unknown) => this.opts.onWriteError?.(e));
      let free = this.spare.get(key);
      if (!free) this.spare.set(key, (free = []));
      if (free.length < 2) free.push(buf);
    }
  }

  /** Closes a folder's file: renamed `.ndjson`, it is complete and compaction may turn it into a Parquet part. */
  private async rotate(dir: string): Promise<void> {
    const file = this.open.get(dir);
    if (!file) return;
    this.open.delete(dir);
    await rename(join(dir, file.stem + SUFFIX.active), join(dir, file.stem + SUFFIX.closed));
  }

  /** Stops accepting entries, writes what is queued and closes the files. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    await this.writing;
    for (const dir of [...this.open.keys()]) await this.rotate(dir).catch((e: unknown) => this.opts.onWriteError?.(e));
  }
}
