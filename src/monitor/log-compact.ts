// Compaction: closed NDJSON log files become Parquet parts (one column per input, id, at, output), crash-safely.
import { randomBytes } from "node:crypto";
import { open, readdir, readFile, rename, unlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { encodeParquet, type LeafColumn, type LeafType } from "./parquet-write.js";
import { listVersion, SUFFIX, tempName, tempWriterIsGone, writerIsGone, type LogSource } from "./log-files.js";
import { loggedRecords } from "../v2-tensors.js";

/** One leaf being filled row by row; its type is the first non-null value's, and turns to JSON text on a mix. */
class LeafBuilder {
  type: LeafType | null = null;
  nums = new Float64Array(0);
  strs: (string | null)[] = [];
  bools = new Int8Array(0);

  constructor(
    readonly path: string[],
    private cap: number,
  ) {}

  private grow(need: number): void {
    if (need <= this.cap) return;
    this.cap = Math.max(need, this.cap * 2);
    if (this.type === "double" || this.type === "timestamp_ms") {
      const n = new Float64Array(this.cap).fill(NaN);
      n.set(this.nums);
      this.nums = n;
    } else if (this.type === "boolean") {
      const b = new Int8Array(this.cap).fill(-1);
      b.set(this.bools);
      this.bools = b;
    }
  }

  private start(type: LeafType): void {
    this.type = type;
    if (type === "double" || type === "timestamp_ms") this.nums = new Float64Array(this.cap).fill(NaN);
    else if (type === "boolean") this.bools = new Int8Array(this.cap).fill(-1);
  }

  /** Everything so far as JSON text: the column held more than one kind of value. */
  private toJson(rows: number): void {
    const out: (string | null)[] = [];
    for (let i = 0; i < rows; i++) {
      if (this.type === "double") out.push(Number.isNaN(this.nums[i]) ? null : JSON.stringify(this.nums[i]));
      else if (this.type === "boolean") out.push(this.bools[i] < 0 ? null : this.bools[i] ? "true" : "false");
      else out.push(this.strs[i] == null ? null : JSON.stringify(this.strs[i]));
    }
    this.type = "json";
    this.strs = out;
  }

  set(row: number, v: unknown): void {
    if (v === null || v === undefined) return;
    const t = typeof v;
    const want: LeafType = t === "number" ? "double" : t === "string" ? "string" : t === "boolean" ? "boolean" : "json";
    if (this.type === null) this.start(want);
    else if (this.type !== want && this.type !== "json") this.toJson(row);
    this.grow(row + 1);
    switch (this.type) {
      case "double":
        this.nums[row] = v as number;
        break;
      case "string":
        this.text(row, v as string);
        break;
      case "boolean":
        this.bools[row] = v ? 1 : 0;
        break;
      default:
        this.text(row, JSON.stringify(v));
    }
  }

  /** Rows only grow, and a leaf is set once per row: pushing (after nulls for rows without it) keeps the array dense. */
  private text(row: number, s: string): void {
    const a = this.strs;
    while (a.length < row) a.push(null);
    a.push(s);
  }

  setTime(row: number, ms: number): void {
    if (this.type === null) this.start("timestamp_ms");
    this.grow(row + 1);
    this.nums[row] = ms;
  }

  column(rows: number): LeafColumn {
    const type = this.type ?? "string";
    if (type === "string" || type === "json") {
      while (this.strs.length < rows) this.strs.push(null);
      return { path: this.path, type, values: this.strs };
    }
    this.grow(rows);
    return { path: this.path, type, values: type === "boolean" ? this.bools.subarray(0, rows) : this.nums.subarray(0, rows) };
  }
}

const INPUTS = ["inputs"];
const OUTPUT = ["output"];
const PROBABILITIES = ["output", "probabilities"];

/** The columns of a log file's rows: fixed ones, then inputs and output leaves as keys appear. */
class LogColumns {
  rows = 0;
  private readonly leaves = new Map<string, LeafBuilder>();
  private readonly inputs = new Map<string, LeafBuilder>();
  private readonly output = new Map<string, LeafBuilder>();
  private readonly probabilities = new Map<string, LeafBuilder>();
  readonly id: LeafBuilder;
  readonly at: LeafBuilder;
  readonly alias: LeafBuilder;
  readonly latency: LeafBuilder;

  constructor(private readonly cap: number) {
    this.id = this.leaf(["id"]);
    this.at = this.leaf(["at"]);
    this.alias = this.leaf(["alias"]);
    this.latency = this.leaf(["latency_ms"]);
  }

  leaf(path: string[]): LeafBuilder {
    const key = path.join("\u0000");
    let b = this.leaves.get(key);
    if (!b) this.leaves.set(key, (b = new LeafBuilder(path, this.cap)));
    return b;
  }

  /** Leaves of one group by key: one Map lookup per value instead of building a path per value. */
  private child(group: Map<string, LeafBuilder>, prefix: string[], name: string): LeafBuilder {
    let b = group.get(name);
    if (!b) group.set(name, (b = this.leaf([...prefix, name])));
    return b;
  }

  add(id: unknown, at: number, alias: unknown, latency: unknown, inputs: Record<string, unknown>, output: unknown): void {
    const r = this.rows++;
    this.id.set(r, typeof id === "string" ? id : id == null ? null : String(id));
    this.at.setTime(r, at);
    this.alias.set(r, alias);
    this.latency.set(r, latency);
    for (const k in inputs) this.child(this.inputs, INPUTS, k).set(r, inputs[k]);
    if (output === null || typeof output !== "object") return;
    const o = output as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (k === "probabilities" && v !== null && typeof v === "object" && !Array.isArray(v)) {
        const probs = v as Record<string, unknown>;
        for (const cls in probs) this.child(this.probabilities, PROBABILITIES, cls).set(r, probs[cls]);
      } else this.child(this.output, OUTPUT, k).set(r, v);
    }
  }

  columns(): LeafColumn[] {
    return [...this.leaves.values()].map((b) => b.column(this.rows));
  }
}

/** Request lines ({request:{records} or {inputs} (V2 tensors), response:{predictions, ids}}) and single-prediction lines, as PredictionLog writes them. */
function addLine(cols: LogColumns, line: string): boolean {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (p === null || typeof p !== "object" || typeof p.at !== "string") return false;
  const at = Date.parse(p.at);
  if (Number.isNaN(at)) return false;
  if ("request" in p) {
    const records = loggedRecords(p.request);
    const res = p.response as { predictions?: unknown; ids?: unknown } | null;
    const outputs = res?.predictions;
    const ids = res?.ids;
    if (!Array.isArray(records) || !Array.isArray(outputs) || !Array.isArray(ids) || records.length !== ids.length || outputs.length !== ids.length) return false;
    for (let i = 0; i < ids.length; i++) {
      const rec = records[i] as Record<string, unknown> | null;
      cols.add(ids[i], at, p.alias, p.latencyMs, rec !== null && typeof rec === "object" ? rec : {}, outputs[i]);
    }
    return true;
  }
  if (typeof p.inputs !== "object" || p.inputs === null) return false;
  cols.add(p.id, at, p.alias, p.latencyMs, p.inputs as Record<string, unknown>, p.output);
  return true;
}

/** The Parquet bytes of one NDJSON log file, with the number of lines that were not whole predictions. */
export function compactBytes(text: Buffer, source: string): { parts: Uint8Array[]; rows: number; skippedLines: number } {
  // ~400 bytes per logged record is a fair first guess; builders grow past it.
  const cols = new LogColumns(Math.max(1024, Math.ceil(text.length / 400)));
  let skipped = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(0x0a, start);
    if (end < 0) end = text.length;
    if (end > start && !addLine(cols, text.toString("utf8", start, end))) skipped++;
    start = end + 1;
  }
  const meta = { "millrace.skipped_lines": String(skipped), "millrace.source": source };
  return { parts: encodeParquet(cols.rows, cols.columns(), meta), rows: cols.rows, skippedLines: skipped };
}

export interface CompactResult {
  /** NDJSON files turned into parts (or removed as leftovers of a finished compaction). */
  files: number;
  rows: number;
  skippedLines: number;
  bytesIn: number;
  bytesOut: number;
}

const noWork = (): CompactResult => ({ files: 0, rows: 0, skippedLines: 0, bytesIn: 0, bytesOut: 0 });

async function unlinkIfThere(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "ENOENT") throw e;
  });
}

/**
 * Turns one NDJSON file into `<stem>.parquet`: temp file, fsync, rename, then the NDJSON is deleted. A crash before the
 * rename leaves the NDJSON (and a temp nobody reads); after it, the part wins over the NDJSON until it is deleted.
 */
export async function compactSource(dir: string, src: LogSource): Promise<CompactResult> {
  const out = noWork();
  const part = join(dir, src.stem + SUFFIX.part);
  if (src.kind === "part") {
    if (src.leftover) {
      await unlinkIfThere(join(dir, src.leftover));
      out.files = 1;
    }
    return out;
  }
  let text: Buffer;
  try {
    text = await readFile(join(dir, src.file));
  } catch (e) {
    // Another compactor finished it between the listing and now.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw e;
  }
  const { parts, rows, skippedLines } = compactBytes(text, src.file);
  const temp = join(dir, tempName(src.stem, randomBytes(4).toString("hex")));
  const fh = await open(temp, "wx");
  try {
    await fh.writev(parts);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, part);
  await syncDir(dir);
  await unlinkIfThere(join(dir, src.file));
  return { files: 1, rows, skippedLines, bytesIn: text.length, bytesOut: parts.reduce((s, p) => s + p.length, 0) };
}

/** Makes a rename durable (the folder's entry), where the platform allows opening a folder. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not supported here (some platforms refuse fsync on folders): the rename is still atomic.
  }
}

/** Temps older than this belong to compactions that died; younger ones may still be being written. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** A temp is abandoned when the process named in it is gone from this host, or when it is old. */
async function abandonedTemp(path: string): Promise<boolean> {
  if (tempWriterIsGone(path)) return true;
  const s = await stat(path).catch(() => null);
  return s !== null && Date.now() - s.mtimeMs > STALE_TEMP_MS;
}

/**
 * Compacts every closed NDJSON file of one version folder (and active ones whose writer process is gone), removes
 * leftovers of interrupted compactions. Safe to run from several processes at once: each writes its own temp and the
 * renames produce the same part.
 */
export async function compactVersion(dir: string): Promise<CompactResult> {
  const { sources, temps } = await listVersion(dir);
  const total = noWork();
  for (const src of sources) {
    if (src.kind === "ndjson" && src.active && !writerIsGone(src.stem)) continue;
    const r = await compactSource(dir, src);
    for (const k of Object.keys(total) as (keyof CompactResult)[]) total[k] += r[k];
  }
  for (const t of temps) if (await abandonedTemp(join(dir, t))) await unlinkIfThere(join(dir, t));
  return total;
}

/** The version folders under the log root (`<root>/<model>/<version>/`). */
async function versionDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const m of await readdir(root).catch(() => [] as string[])) {
    for (const v of await readdir(join(root, m)).catch(() => [] as string[])) out.push(join(root, m, v));
  }
  return out;
}

/** Compacts every version folder under the log root. */
export async function compactLog(root: string): Promise<CompactResult> {
  const total = noWork();
  for (const dir of await versionDirs(root)) {
    const r = await compactVersion(dir);
    for (const k of Object.keys(total) as (keyof CompactResult)[]) total[k] += r[k];
  }
  return total;
}

/** How many files a compaction of the log root would take on now (closed NDJSON, abandoned open files, leftovers). */
export async function pendingFiles(root: string): Promise<number> {
  let n = 0;
  for (const dir of await versionDirs(root)) {
    for (const s of (await listVersion(dir)).sources) if (s.leftover || (s.kind === "ndjson" && (!s.active || writerIsGone(s.stem)))) n++;
  }
  return n;
}
