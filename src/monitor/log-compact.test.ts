// Compaction on real files: parts read back as the NDJSON did, nothing lost or counted twice — even when a real process is killed mid-way.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Prediction, Signature } from "../records.js";
import { compactLog, compactVersion } from "./log-compact.js";
import { listVersion, newStem, SUFFIX } from "./log-files.js";
import { driftReport } from "./drift-report.js";
import { predictionsToFrame, readLoggedFrame, readPredictions } from "./log-reader.js";
import { PredictionLog, versionDir } from "./prediction-log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "millrace-compact-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = (i: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, i % 60, i % 1000)).toISOString();
const record = (i: number) => ({ tenure: i % 72, contract: ["Month-to-month", "One year", "Two year"][i % 3], total: i % 5 === 0 ? null : i * 1.5, paperless: i % 2 === 0 });
const output = (i: number) => ({ label: i % 4 ? "No" : "Yes", probabilities: { No: 1 - (i % 100) / 100, Yes: (i % 100) / 100 } });

/** Logs `requests` requests of `size` records (and a few single predictions) for churn v1 through the real PredictionLog. */
async function logTraffic(requests: number, size: number, opts: { rotateBytes?: number } = {}): Promise<PredictionLog> {
  const log = new PredictionLog({ dir, capacity: 1e7, batchSize: 5_000, ...opts });
  let k = 0;
  for (let r = 0; r < requests; r++) {
    const records = Array.from({ length: size }, (_, j) => record(k + j));
    const outputs = records.map((_, j) => output(k + j));
    const ids = records.map((_, j) => `id-${k + j}`);
    log.logRequest({ model: "churn", version: 1, alias: "production", at: at(r), latencyMs: 0.5, ids, records, outputs, requestJson: JSON.stringify({ records }), responseJson: JSON.stringify({ predictions: outputs, ids }) });
    k += size;
    if (r % 7 === 0) log.log({ id: `single-${r}`, model: "churn", version: 1, alias: "shadow", inputs: record(r), output: output(r), latencyMs: 1, at: at(r) });
    if (r % 50 === 49) await log.flush();
  }
  await log.flush();
  return log;
}

/** Null and absent mean the same in a logged record: compare predictions without null fields. */
const normal = (p: Prediction) => ({ ...p, inputs: Object.fromEntries(Object.entries(p.inputs).filter(([, v]) => v !== null)) });

const signature: Signature = {
  inputs: [
    { name: "tenure", type: "integer", nullable: false },
    { name: "contract", type: "string", nullable: false },
    { name: "total", type: "number", nullable: true },
    { name: "paperless", type: "boolean", nullable: false },
  ],
  output: { task: "binary", classes: ["No", "Yes"], positive: "Yes" },
};

const readLoggedFrameSync = (predictions: Prediction[]) => predictionsToFrame(predictions, { signature });

async function files(): Promise<string[]> {
  return (await readdir(versionDir(dir, "churn", 1))).sort();
}

describe("log compaction", () => {
  it("turns closed files into parts that read back the same predictions and the same Frame", async () => {
    const log = await logTraffic(300, 20, { rotateBytes: 64 * 1024 });
    await log.close();
    const before = await readPredictions(dir, "churn", 1);
    const frameBefore = await readLoggedFrame(dir, "churn", 1, { signature, includeOutput: true });
    expect(before.predictions).toHaveLength(300 * 20 + 43);
    const r = await compactLog(dir);
    expect(r.rows).toBe(before.predictions.length);
    expect(r.files).toBeGreaterThan(3);
    expect(r.bytesOut).toBeLessThan(r.bytesIn / 3);
    expect((await files()).every((f) => f.endsWith(SUFFIX.part))).toBe(true);
    const after = await readPredictions(dir, "churn", 1);
    expect(after.predictions.map(normal)).toEqual(before.predictions.map(normal));
    const frameAfter = await readLoggedFrame(dir, "churn", 1, { signature, includeOutput: true });
    expect(frameAfter.columns.map((c) => [c.name, c.kind])).toEqual(frameBefore.columns.map((c) => [c.name, c.kind]));
    for (let j = 0; j < frameBefore.columns.length; j++) expect(Array.from(frameAfter.columns[j].values as ArrayLike<unknown>)).toEqual(Array.from(frameBefore.columns[j].values as ArrayLike<unknown>));
    // Columns read from parts carry dictionary codes; the report counts them without hashing and must agree with copies
    // that have no codes.
    const reference = readLoggedFrameSync(before.predictions.slice(0, 500));
    const copy = { rowCount: frameAfter.rowCount, columns: frameAfter.columns.map((c) => (c.kind === "numeric" ? { ...c, values: Float64Array.from(c.values) } : { ...c, values: [...c.values] })) };
    const coded = driftReport(reference, frameAfter, { columns: ["tenure", "contract", "total", "paperless"] });
    const plain = driftReport(reference, copy, { columns: ["tenure", "contract", "total", "paperless"] });
    coded.columns.forEach((c, j) => {
      expect(c.method).toBe(plain.columns[j].method);
      expect(c.statistic!).toBeCloseTo(plain.columns[j].statistic!, 12);
      expect(c.psi!).toBeCloseTo(plain.columns[j].psi!, 12);
      expect(c.currentMissing).toBe(plain.columns[j].currentMissing);
    });
    // A second pass finds nothing to do.
    expect((await compactVersion(versionDir(dir, "churn", 1))).files).toBe(0);
  });

  it("reads the newest `limit` rows and time windows across parts and the NDJSON tail alike", async () => {
    const log = await logTraffic(120, 10, { rotateBytes: 16 * 1024 });
    await compactVersion(versionDir(dir, "churn", 1));
    // More traffic after the compaction stays NDJSON (the writer's file is still open).
    const records = [record(5000)];
    log.logRequest({ model: "churn", version: 1, alias: "production", at: at(59), latencyMs: 1, ids: ["last"], records, outputs: [output(0)] });
    await log.flush();
    const { sources } = await listVersion(versionDir(dir, "churn", 1));
    expect(sources.some((s) => s.kind === "part") && sources.some((s) => s.kind === "ndjson" && s.active)).toBe(true);
    const all = (await readPredictions(dir, "churn", 1)).predictions;
    const last = await readLoggedFrame(dir, "churn", 1, { signature, limit: 25 });
    expect(Array.from(last.columns[0].values as Float64Array)).toEqual(all.slice(-25).map((p) => p.inputs.tenure));
    const since = at(30);
    const until = at(40);
    const windowed = await readPredictions(dir, "churn", 1, { since, until });
    expect(windowed.predictions.map((p) => p.id)).toEqual(all.filter((p) => p.at >= since && p.at < until).map((p) => p.id));
    expect(windowed.predictions.length).toBeGreaterThan(0);
    await log.close();
  });

  it("leaves a live writer's open file alone, and compacts one whose writer process is gone (torn last line counted)", async () => {
    const log = await logTraffic(10, 5);
    await compactVersion(versionDir(dir, "churn", 1));
    expect((await files()).every((f) => f.endsWith(SUFFIX.active))).toBe(true);
    await log.close();
    // A file from a process of this host that died mid-write: its pid no longer runs.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const stem = newStem().replace(`-${process.pid}-`, `-${dead}-`);
    const vdir = versionDir(dir, "churn", 1);
    const line = JSON.stringify({ id: "crashed-1", model: "churn", version: 1, alias: null, inputs: record(1), output: output(1), latencyMs: 1, at: at(1) });
    await writeFile(join(vdir, stem + SUFFIX.active), `${line}\n{"id":"crashed-2","mod`);
    const r = await compactVersion(vdir);
    expect(r).toMatchObject({ rows: 50 + 2 + 1, skippedLines: 1 });
    const got = await readPredictions(dir, "churn", 1);
    expect(got.skippedLines).toBe(1);
    expect(got.predictions.filter((p) => p.id.startsWith("crashed"))).toHaveLength(1);
  });

  it("counts a part and the NDJSON a crash left beside it once, and the next pass removes the leftover", async () => {
    const log = await logTraffic(30, 10);
    await log.close();
    const vdir = versionDir(dir, "churn", 1);
    const [ndjson] = await files();
    await copyFile(join(vdir, ndjson), join(dir, "saved"));
    await compactVersion(vdir);
    // The state after a crash between the rename and the delete: both files.
    await copyFile(join(dir, "saved"), join(vdir, ndjson));
    // And a temp of a compaction that died before its rename.
    await writeFile(join(vdir, `${ndjson.replace(SUFFIX.closed, SUFFIX.part)}.somehost.1-dead${SUFFIX.temp}`), "partial");
    expect((await readPredictions(dir, "churn", 1)).predictions).toHaveLength(300 + 5);
    expect((await compactVersion(vdir)).files).toBe(1);
    expect((await files()).filter((f) => f.endsWith(SUFFIX.closed))).toEqual([]);
    expect((await readPredictions(dir, "churn", 1)).predictions).toHaveLength(300 + 5);
  });

  it("keeps a column that holds numbers and text as JSON, and ugly keys as they were", async () => {
    const vdir = versionDir(dir, "m", 2);
    await mkdir(vdir, { recursive: true });
    const lines = [
      { id: "a", model: "m", version: 2, alias: null, inputs: { x: 1, "a.b": "dot", "": "empty key", obj: { deep: [1, 2] } }, output: { value: 3.5 }, latencyMs: 1, at: at(1) },
      { id: "b", model: "m", version: 2, alias: null, inputs: { x: "one", "a.b": "dot", obj: null }, output: { value: -1 }, latencyMs: 1, at: at(2) },
      { id: "c", model: "m", version: 2, alias: null, inputs: { x: true }, output: { value: 0 }, latencyMs: 1, at: at(3) },
    ];
    await writeFile(join(vdir, "predictions-2024-01-01T000000000Z-1.ndjson"), lines.map((l) => JSON.stringify(l)).join("\n") + "\nnot json\n");
    await compactLog(dir);
    const got = await readPredictions(dir, "m", 2);
    expect(got.skippedLines).toBe(1);
    expect(got.predictions.map((p) => p.inputs)).toEqual([{ x: 1, "a.b": "dot", "": "empty key", obj: { deep: [1, 2] } }, { x: "one", "a.b": "dot" }, { x: true }]);
    expect(got.predictions.map((p) => p.output)).toEqual([{ value: 3.5 }, { value: -1 }, { value: 0 }]);
    const f = await readLoggedFrame(dir, "m", 2, { includeOutput: true });
    expect(f.columns.find((c) => c.name === "x")).toEqual({ name: "x", kind: "categorical", values: ["1", "one", "true"] });
    expect(Array.from(f.columns.find((c) => c.name === "_prediction")!.values as Float64Array)).toEqual([3.5, -1, 0]);
  });
});

describe("log compaction killed mid-way", () => {
  const compiled = resolve(import.meta.dirname, "../../dist/monitor/log-compact.js");

  it("leaves every file's rows readable exactly once after a real process is killed at any moment", async () => {
    const source = resolve(import.meta.dirname, "log-compact.ts");
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
      throw new Error(`${compiled} is missing or older than ${source}: run npm run build first (npm test does)`);
    }
    const log = await logTraffic(1500, 40, { rotateBytes: 1024 * 1024 });
    await log.close();
    const vdir = versionDir(dir, "churn", 1);
    const expected = (await readPredictions(dir, "churn", 1)).predictions.length;
    expect((await files()).length).toBeGreaterThan(4);
    const states = new Set<string>();
    for (const delay of [100, 200, 300, 450, 600, 800, 1100]) {
      const child = spawn(process.execPath, ["--input-type=module", "-e", `import(${JSON.stringify(compiled)}).then((m) => m.compactVersion(${JSON.stringify(vdir)}))`], { stdio: "ignore" });
      const exited = new Promise((r) => child.once("exit", r));
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await exited;
      const names = await files();
      states.add(`${names.filter((f) => f.endsWith(SUFFIX.part)).length} parts, ${names.filter((f) => f.endsWith(SUFFIX.closed)).length} ndjson`);
      // Every stem has its rows in exactly one place the reader takes, whatever the kill interrupted.
      expect((await readPredictions(dir, "churn", 1)).predictions).toHaveLength(expected);
    }
    const done = await compactVersion(vdir);
    expect(done.skippedLines).toBe(0);
    expect((await files()).every((f) => f.endsWith(SUFFIX.part))).toBe(true);
    expect((await readPredictions(dir, "churn", 1)).predictions).toHaveLength(expected);
    // The kills did land mid-way: some passes stopped with part of the files compacted.
    expect(states.size).toBeGreaterThan(1);
  }, 60_000);
});
