// The bounded slow path for a JSON file DuckDB refused: lines that are not readable records are set aside in
// JavaScript, then any line DuckDB still refuses is found by halving, and the rest is written once more. Each
// step runs at most once, so valid-looking input can never make the salvage retry forever.
import fs from "node:fs";
import type { Duck } from "./duck.js";
import type { FileWriteResult, QuarantineRow } from "./file-write.js";
import { MAX_RAW_CHARS, salvageNdjson, wellFormed } from "./ndjson.js";
import { scratchBeside } from "./scratch.js";

/** At most this many DuckDB reads are spent finding the lines DuckDB refuses (each bad line costs ~2·log2(n)). */
export const MAX_PROBES = 400;

export interface JsonSalvageInput {
  duck: Duck;
  file: string;
  /** The data file being written: scratch copies go to the same table's _tmp folder. */
  outAbs: string;
  /** read_json(...) over a file, as the normal path reads it. */
  reader: (file: string) => string;
  /** One attempt of the normal write over a clean copy; throws when DuckDB refuses it. */
  attempt: (file: string) => Promise<FileWriteResult>;
  /** Why DuckDB refused the original file (the first line of its error). */
  reason: string;
}

export async function salvageJson(s: JsonSalvageInput): Promise<FileWriteResult> {
  const scratch: string[] = [];
  // DuckDB's messages name the scratch copy it read: a person needs the file they gave.
  const firstLine = (e: unknown) => scratch.reduce((m, f) => m.replaceAll(f, s.file), (e as Error).message.split("\n")[0]);
  const newScratch = () => {
    const f = scratchBeside(s.outAbs, "ndjson");
    scratch.push(f);
    return f;
  };
  try {
    const clean = newScratch();
    const js = salvageNdjson(s.file, clean);
    const bad: QuarantineRow[] = js.bad.map((b) => ({ rule: "parse", reason: b.reason, source_file: s.file, line: b.line, raw: b.raw }));
    if (js.good === 0) {
      return { rows: 0, quarantine: bad.length ? bad : [{ rule: "parse", reason: s.reason, source_file: s.file, line: null, raw: null }], written: false, schemaChanges: [], error: s.reason };
    }
    const lines = fs.readFileSync(clean, "utf8").split("\n").slice(0, js.good);
    const withSource = (r: FileWriteResult, map: (l: number | null) => number | null): FileWriteResult => ({
      ...r, quarantine: sortByLine([...bad, ...r.quarantine.map((q) => ({ ...q, source_file: s.file, line: map(q.line) }))]),
    });
    let refusal: string;
    try {
      return withSource(await s.attempt(clean), (l) => l);
    } catch (e) {
      refusal = firstLine(e);
    }
    // DuckDB still refuses some line JavaScript accepted: find which, by reading halves of the clean copy.
    const refused = await isolate(s, lines, newScratch, firstLine);
    const rest = lines.filter((_, i) => !refused.has(i));
    for (const [i, reason] of refused) bad.push({ rule: "parse", reason, source_file: s.file, line: js.originalLine[i], raw: wellFormed(lines[i].slice(0, MAX_RAW_CHARS)) });
    if (refused.size && rest.length) {
      const again = newScratch();
      fs.writeFileSync(again, rest.join("\n") + "\n");
      const keptLine = lines.map((_, i) => i).filter((i) => !refused.has(i)).map((i) => js.originalLine[i]);
      try {
        return withSource(await s.attempt(again), (l) => (l === null ? null : keptLine[l - 1] ?? null));
      } catch (e) {
        refusal = firstLine(e);
      }
    }
    // Nothing readable is left, or the lines are readable alone but not together: every line goes to quarantine.
    const left = lines.map((l, i) => ({ l, i })).filter(({ i }) => !refused.has(i));
    for (const { l, i } of left) bad.push({ rule: "parse", reason: refusal, source_file: s.file, line: js.originalLine[i], raw: wellFormed(l.slice(0, MAX_RAW_CHARS)) });
    return { rows: 0, quarantine: sortByLine(bad), written: false, schemaChanges: [], ...(left.length ? { error: refusal } : {}) };
  } finally {
    for (const f of scratch) fs.rmSync(f, { force: true });
  }
}

const sortByLine = (rows: QuarantineRow[]) => rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

/** Indexes of the lines DuckDB refuses on their own, with DuckDB's reason; bounded by MAX_PROBES reads. */
async function isolate(s: JsonSalvageInput, lines: string[], newScratch: () => string, firstLine: (e: unknown) => string): Promise<Map<number, string>> {
  const refused = new Map<number, string>();
  const file = newScratch();
  let probes = 0;
  const probe = async (from: number, to: number): Promise<string | null> => {
    probes++;
    fs.writeFileSync(file, lines.slice(from, to).join("\n") + "\n");
    try {
      // A full read, not a DESCRIBE: DuckDB parses every line only when the rows are produced.
      await s.duck.run(`CREATE OR REPLACE TEMP TABLE _millrace_probe AS SELECT * FROM ${s.reader(file)}`);
      return null;
    } catch (e) {
      return firstLine(e);
    } finally {
      await s.duck.run("DROP TABLE IF EXISTS _millrace_probe").catch(() => undefined);
    }
  };
  const walk = async (from: number, to: number, known: string | null): Promise<void> => {
    const reason = known ?? (await probe(from, to));
    if (reason === null) return;
    if (to - from === 1 || probes >= MAX_PROBES) {
      // Out of budget: the whole undivided range is set aside with the reason its read failed.
      for (let i = from; i < to; i++) refused.set(i, to - from === 1 ? reason : `${reason} (somewhere in lines sharing this read)`);
      return;
    }
    const mid = (from + to) >> 1;
    await walk(from, mid, null);
    await walk(mid, to, null);
  };
  await walk(0, lines.length, null);
  return refused;
}
