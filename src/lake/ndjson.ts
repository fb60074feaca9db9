// Splits an NDJSON file into its valid lines (written to a clean copy) and the lines that are not one JSON object.
import fs from "node:fs";

export interface NdjsonSalvage {
  good: number;
  bad: { line: number; reason: string; raw: string }[];
}

export function salvageNdjson(source: string, out: string): NdjsonSalvage {
  const text = fs.readFileSync(source, "utf8");
  const lines = text.split("\n");
  const keep: string[] = [];
  const bad: NdjsonSalvage["bad"] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    try {
      const v: unknown = JSON.parse(line);
      if (v === null || typeof v !== "object" || Array.isArray(v)) {
        bad.push({ line: i + 1, reason: "not a JSON object", raw: line.slice(0, 10_000) });
        return;
      }
      keep.push(line);
    } catch (e) {
      bad.push({ line: i + 1, reason: `invalid JSON: ${(e as Error).message}`, raw: line.slice(0, 10_000) });
    }
  });
  fs.writeFileSync(out, keep.join("\n") + "\n");
  return { good: keep.length, bad };
}
