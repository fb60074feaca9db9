// Reads NDJSON log files (the part of the log not compacted yet): all lines in order, or only the newest predictions.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import type { Prediction, PredictionOutput } from "../records.js";
import { loggedRecords } from "../v2-tensors.js";

/** A request line as PredictionLog writes it (see requestLine). */
interface RequestLine {
  model: string;
  version: number;
  alias: string | null;
  at: string;
  latencyMs: number;
  /** {records} from /predict, {inputs: [tensors]} from KServe V2. */
  request: { records?: unknown; inputs?: unknown };
  response: { predictions?: unknown; ids?: unknown };
}

export interface TimeWindow {
  since?: string;
  until?: string;
}

/** The predictions of one line (request lines expanded), or false when it is not a whole prediction line. */
function linePredictions(line: string, window: TimeWindow, visit: (p: Prediction) => void): boolean {
  let p: Prediction | RequestLine;
  try {
    p = JSON.parse(line) as Prediction | RequestLine;
  } catch {
    return false;
  }
  if (p === null || typeof p !== "object" || typeof p.at !== "string") return false;
  if (window.since && p.at < window.since) return true;
  if (window.until && p.at >= window.until) return true;
  if ("request" in p) {
    const records = loggedRecords(p.request);
    const outputs = p.response?.predictions;
    const ids = p.response?.ids;
    if (!Array.isArray(records) || !Array.isArray(outputs) || !Array.isArray(ids) || records.length !== ids.length || outputs.length !== ids.length) return false;
    for (let i = 0; i < ids.length; i++) {
      visit({ id: String(ids[i]), model: p.model, version: p.version, alias: p.alias, inputs: records[i] as Record<string, unknown>, output: outputs[i] as PredictionOutput, latencyMs: p.latencyMs, at: p.at });
    }
    return true;
  }
  if (typeof p.inputs !== "object" || p.inputs === null) return false;
  visit(p);
  return true;
}

/** The lines of a file, read in 4 MiB chunks: a log of any size never becomes one string. */
async function* fileLines(path: string): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      if (end > start) yield text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}

/** Every prediction of one NDJSON file in order; returns the lines skipped. */
export async function ndjsonPredictions(path: string, window: TimeWindow, visit: (p: Prediction) => void): Promise<number> {
  let skipped = 0;
  for await (const line of fileLines(path)) if (!linePredictions(line, window, visit)) skipped++;
  return skipped;
}

const TAIL_CHUNK = 1 << 20;

/**
 * At least the newest `need` predictions of an NDJSON file (all when it holds fewer), oldest first, read backwards
 * from the end in 1 MiB chunks: a monitoring pass that wants the latest few thousand rows parses only those lines.
 */
export async function tailPredictions(path: string, need: number): Promise<{ predictions: Prediction[]; skippedLines: number }> {
  const fh = await open(path, "r");
  try {
    let end = (await fh.stat()).size;
    // Bytes after the last complete line boundary seen so far: the start of a line that began in an earlier chunk.
    let pending = Buffer.alloc(0);
    const chunks: Prediction[][] = [];
    let count = 0;
    let skipped = 0;
    while (end > 0 && count < need) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const buf = Buffer.allocUnsafe(end - start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, start);
      const data = pending.length ? Buffer.concat([buf.subarray(0, bytesRead), pending]) : buf.subarray(0, bytesRead);
      // Before the first newline the line may have begun earlier in the file: keep it for the next chunk.
      const first = start > 0 ? data.indexOf(0x0a) : -1;
      if (start > 0 && first < 0) {
        pending = Buffer.from(data);
        end = start;
        continue;
      }
      pending = start > 0 ? Buffer.from(data.subarray(0, first)) : Buffer.alloc(0);
      const got: Prediction[] = [];
      let from = first + 1;
      while (from < data.length) {
        let to = data.indexOf(0x0a, from);
        if (to < 0) to = data.length;
        if (to > from && !linePredictions(data.toString("utf8", from, to), {}, (p) => void got.push(p))) skipped++;
        from = to + 1;
      }
      chunks.unshift(got);
      count += got.length;
      end = start;
    }
    return { predictions: chunks.flat(), skippedLines: skipped };
  } finally {
    await fh.close();
  }
}
