// Fuzz-style tests of ingest with JSON that JSON.parse accepts but DuckDB refuses (lone surrogates, NUL in keys,
// duplicate keys) mixed with good lines: every call ends in time, good lines commit, bad lines are quarantined.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lake } from "./lake.js";
import { scratchDir } from "./scratch.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh } = useTempLakes();

/** Bad line classes: the text of the line, and whether JSON.parse of it still gives a readable record. */
const BAD: Record<string, (i: number) => string> = {
  loneHigh: (i) => `{"id":${i},"s":"a\\ud800b"}`,
  loneLow: (i) => `{"id":${i},"s":"\\udc00"}`,
  loneInKey: (i) => `{"id":${i},"\\ud801k":1}`,
  nulInKey: (i) => `{"id":${i},"x\\u0000y":1}`,
  nested: (i) => `{"id":${i},"o":{"p":["ok","\\udfff"]}}`,
  reversedPair: (i) => `{"id":${i},"s":"\\udc00\\ud800"}`,
  notObject: (i) => `[${i}]`,
  invalid: (i) => `{"id":${i},`,
};
const GOOD = [
  (i: number) => `{"id":${i},"s":"plain ${i}"}`,
  (i: number) => `{"id":${i},"s":"pair \\ud83d\\ude00 ok"}`,
  (i: number) => `{"id":${i},"s":"nul in a value \\u0000 is fine"}`,
  (i: number) => `{"id":${i},"s":"ctrl \\u0001\\t"}`,
];

/** A seeded PRNG, so a failure names a batch that can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function batch(seed: number, n: number, badKinds = Object.keys(BAD)) {
  const r = rng(seed);
  const lines: string[] = [];
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.3) {
      lines.push(BAD[badKinds[Math.floor(r() * badKinds.length)]](i));
      bad.push(i + 1);
    } else lines.push(GOOD[Math.floor(r() * GOOD.length)](i));
  }
  return { text: lines.join("\n") + "\n", bad, good: n - bad.length };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms (a hang)`)), ms))]);

async function quarantinedLines(lake: Lake, table: string): Promise<{ line: number; reason: string }[]> {
  return (await lake.query(`SELECT line, reason FROM ${table}__quarantine ORDER BY line`)) as { line: number; reason: string }[];
}

describe("ingest of JSON DuckDB refuses", () => {
  // A private temp folder: nothing the ingest writes may stay behind in it.
  let tmp: string;
  const before = process.env.TMPDIR;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-fuzz-tmp-"));
    process.env.TMPDIR = tmp;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const leftovers = (lake: Lake, table: string) => [...fs.readdirSync(tmp).filter((f) => !f.startsWith("millrace-lake-")), ...(fs.existsSync(scratchDir(lake.root, table)) ? fs.readdirSync(scratchDir(lake.root, table)) : [])];

  it("each class alone beside a good line: the good line commits, the bad one is quarantined with a reason", async () => {
    const { lake } = await fresh();
    for (const [kind, make] of Object.entries(BAD)) {
      const table = `bronze.${kind.toLowerCase()}`;
      const r = await within(lake.ingestNdjson(table, `{"id":0,"s":"ok"}\n${make(1)}\n{"id":2,"s":"ok"}\n`), 10_000, kind);
      expect([kind, r.rowsOut, r.rowsBad]).toEqual([kind, 2, 1]);
      const q = await quarantinedLines(lake, table);
      expect(q.map((x) => x.line)).toEqual([2]);
      expect(q[0].reason.length).toBeGreaterThan(5);
      expect(leftovers(lake, table)).toEqual([]);
    }
    const q = await quarantinedLines(lake, "bronze.nulinkey");
    expect(q[0].reason).toMatch(/NUL character in the key/);
    expect((await quarantinedLines(lake, "bronze.lonehigh"))[0].reason).toMatch(/lone UTF-16 surrogate \\ud800 in the value of s/);
  });

  it("40 seeded batches of 50 lines: 0 hangs, every good line committed, every bad line quarantined by line", async () => {
    const { lake } = await fresh();
    let committed = 0;
    let quarantined = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const b = batch(seed, 50);
      const r = await within(lake.ingestNdjson("bronze.fuzz", b.text, { batchId: `b${seed}` }), 10_000, `seed ${seed}`);
      expect([seed, r.rowsOut, r.rowsBad]).toEqual([seed, b.good, b.bad.length]);
      expect(r.ingested[0].badRowSamples?.map((x) => x.line)).toEqual(b.bad.slice(0, 20));
      committed += b.good;
      quarantined += b.bad.length;
    }
    const [{ n }] = await lake.query("SELECT count(*) AS n FROM bronze.fuzz");
    const [{ q, blank }] = await lake.query("SELECT count(*) AS q, count(*) FILTER (WHERE reason IS NULL OR reason = '') AS blank FROM bronze.fuzz__quarantine");
    expect(n).toBe(committed);
    expect(q).toBe(quarantined);
    expect(blank).toBe(0);
    expect(leftovers(lake, "bronze.fuzz")).toEqual([]);
  });

  it("a .json landing file: same classes plus duplicate keys (which DuckDB refuses), found line by line", async () => {
    const { dir, lake } = await fresh();
    const b = batch(7, 60, [...Object.keys(BAD)]);
    const lines = b.text.trimEnd().split("\n");
    lines[10] = `{"id":10,"s":"x","s":"y"}`; // a duplicate key: JSON.parse takes the last, DuckDB refuses the line
    const bad = [...new Set([...b.bad, 11])].sort((x, y) => x - y);
    const f = write(dir, "landing.json", lines.join("\n") + "\n");
    const r = await within(lake.ingestFiles("bronze.landing", [f]), 20_000, "landing.json");
    expect([r.rowsOut, r.rowsBad]).toEqual([60 - bad.length, bad.length]);
    const q = await quarantinedLines(lake, "bronze.landing");
    expect(q.map((x) => x.line)).toEqual(bad);
    expect(q.find((x) => x.line === 11)?.reason).toMatch(/duplicate key/);
    expect(q.filter((x) => x.reason.includes("_tmp"))).toEqual([]); // reasons name the user's file, not a scratch copy
    expect(leftovers(lake, "bronze.landing")).toEqual([]);
  });

  it("a row whose type differs after DuckDB's 20,480-row sample: every row loads (types from all rows), then casts by policy", async () => {
    const { dir, lake } = await fresh();
    const lines = Array.from({ length: 25_000 }, (_, i) => JSON.stringify({ a: i }));
    const late = write(dir, "late.json", [...lines, '{"a":"text"}'].join("\n") + "\n");
    const r = await within(lake.ingestFiles("bronze.late", [late]), 20_000, "late.json");
    expect([r.rowsOut, r.rowsBad]).toEqual([25_001, 0]); // was: all 25,001 quarantined by the salvage
    // Into a table whose column is already a number, the odd row goes to quarantine with a cast reason.
    await lake.ingestRecords("bronze.typed", [{ a: 1 }]);
    const t = await within(lake.ingestFiles("bronze.typed", [late]), 20_000, "late.json typed");
    expect([t.rowsOut, t.rowsBad]).toEqual([25_000, 1]);
    expect(t.ingested[0].badRowSamples?.[0].reason).toMatch(/cannot cast a to BIGINT: "?text/);
  });

  it("a .json file that is one array, with a lone surrogate in one element, keeps the other elements", async () => {
    const { dir, lake } = await fresh();
    const f = write(dir, "arr.json", `[{"id":1,"s":"a"},{"id":2,"s":"\\ud800"},{"id":3,"s":"c"}]`);
    const r = await within(lake.ingestFiles("bronze.arr", [f]), 10_000, "arr.json");
    expect([r.rowsOut, r.rowsBad]).toEqual([2, 1]);
    expect(r.ingested[0].badRowSamples?.[0].reason).toMatch(/element 2: lone UTF-16 surrogate/);
  });
});
