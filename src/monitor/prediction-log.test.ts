// The prediction log on real files: batching per version, drops when full, sampling, torn lines, read back as a Frame.
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Prediction, Signature } from "../records.js";
import { predictionsToFrame, readLoggedFrame, readPredictions } from "./log-reader.js";
import { compactInWorker } from "./compact-worker.js";
import { PredictionLog, requestLine, versionDir } from "./prediction-log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "millrace-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pred = (i: number, version = 1, at = `2024-01-01T00:00:${String(i % 60).padStart(2, "0")}.000Z`): Prediction => ({
  id: `p${i}`,
  model: "churn",
  version,
  alias: "production",
  inputs: { tenure: i, contract: i % 2 ? "One year" : "Two year", total: i % 3 === 0 ? null : i * 1.5 },
  output: { label: "No", probabilities: { No: 0.9, Yes: 0.1 + i / 1000 } },
  latencyMs: 0.2,
  at,
});

const signature: Signature = {
  inputs: [
    { name: "tenure", type: "integer", nullable: false },
    { name: "contract", type: "string", nullable: false },
    { name: "total", type: "number", nullable: true },
  ],
  output: { task: "binary", classes: ["No", "Yes"], positive: "Yes" },
};

describe("PredictionLog", () => {
  it("writes each version to its own folder and reads the inputs back as a typed Frame", async () => {
    const log = new PredictionLog({ dir, batchSize: 7 });
    for (let i = 0; i < 20; i++) log.log(pred(i, i < 15 ? 1 : 2));
    await log.close();
    expect(log.stats()).toMatchObject({ accepted: 20, written: 20, dropped: 0, pending: 0 });
    const f = await readLoggedFrame(dir, "churn", 1, { signature, includeOutput: true });
    expect(f.rowCount).toBe(15);
    expect(f.columns.map((c) => `${c.name}:${c.kind}`)).toEqual(["tenure:numeric", "contract:categorical", "total:numeric", "_prediction:numeric", "_label:categorical"]);
    const tenure = f.columns[0].values as Float64Array;
    expect(Array.from(tenure)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const total = f.columns[2].values as Float64Array;
    expect(Number.isNaN(total[0])).toBe(true);
    expect(total[1]).toBe(1.5);
    expect((f.columns[3].values as Float64Array)[4]).toBeCloseTo(0.104, 12);
    expect((await readPredictions(dir, "churn", 2)).predictions.map((p) => p.id)).toEqual(["p15", "p16", "p17", "p18", "p19"]);
  });

  it("drops and counts entries beyond capacity instead of waiting", async () => {
    const log = new PredictionLog({ dir, capacity: 10, batchSize: 1000, flushIntervalMs: 10_000 });
    for (let i = 0; i < 25; i++) log.log(pred(i));
    expect(log.dropped()).toBe(15);
    await log.close();
    expect(log.stats().written).toBe(10);
    log.log(pred(99)); // after close: dropped, not thrown
    expect(log.dropped()).toBe(16);
  });

  it("keeps the configured share of predictions", async () => {
    let k = 0;
    const log = new PredictionLog({ dir, sampleRate: 0.25, random: () => (k++ % 4) / 4 });
    for (let i = 0; i < 100; i++) log.log(pred(i));
    await log.close();
    expect(log.stats()).toMatchObject({ accepted: 25, sampledOut: 75, written: 25 });
  });

  it("counts a failed write as dropped and reports it, without throwing", async () => {
    const blocker = join(dir, "file");
    await writeFile(blocker, "not a folder");
    const errors: unknown[] = [];
    const log = new PredictionLog({ dir: blocker, onWriteError: (e) => void errors.push(e) });
    log.log(pred(1));
    await log.close();
    expect(log.stats().dropped).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it("skips torn lines, filters by time and keeps the latest `limit`", async () => {
    const log = new PredictionLog({ dir });
    for (let i = 0; i < 10; i++) log.log(pred(i));
    await log.close();
    const vdir = versionDir(dir, "churn", 1);
    const [file] = await readdir(vdir);
    await appendFile(join(vdir, file), '{"id":"torn","mod');
    const all = await readPredictions(dir, "churn", 1);
    expect(all.predictions).toHaveLength(10);
    expect(all.skippedLines).toBe(1);
    const some = await readPredictions(dir, "churn", 1, { since: "2024-01-01T00:00:03.000Z", limit: 4 });
    expect(some.predictions.map((p) => p.id)).toEqual(["p6", "p7", "p8", "p9"]);
    expect((await readPredictions(dir, "nope", 1)).predictions).toEqual([]);
  });

  it("writes a request as one line (from its JSON texts, pretty-printed or not) and reads it back per record", async () => {
    const log = new PredictionLog({ dir, capacity: 5 });
    const records = [{ tenure: 1, contract: "One year" }, { tenure: 2, contract: "Two year" }];
    const outputs = [{ label: "No", probabilities: { No: 0.8, Yes: 0.2 } }, { label: "Yes", probabilities: { No: 0.3, Yes: 0.7 } }];
    const base = { model: "churn", version: 3, alias: "production", at: "2024-02-01T00:00:00.000Z", latencyMs: 0.5, ids: ["a", "b"], records, outputs };
    log.logRequest({ ...base, requestJson: JSON.stringify({ records }, null, 2), responseJson: JSON.stringify({ predictions: outputs, provenance: {}, ids: ["a", "b"] }) });
    log.logRequest({ ...base, ids: ["c", "d"] }); // no texts: serialized from the objects
    log.logRequest({ ...base, ids: ["e", "f"] }); // 6 records > capacity 5: dropped whole
    await log.close();
    expect(log.stats()).toMatchObject({ accepted: 4, written: 4, dropped: 2 });
    const vdir = versionDir(dir, "churn", 3);
    const [file] = await readdir(vdir);
    const text = await readFile(join(vdir, file), "utf8");
    expect(text.trim().split("\n")).toHaveLength(2);
    const got = (await readPredictions(dir, "churn", 3)).predictions;
    expect(got.map((p) => [p.id, p.inputs.tenure, p.output.label])).toEqual([["a", 1, "No"], ["b", 2, "Yes"], ["c", 1, "No"], ["d", 2, "Yes"]]);
    expect(got[0]).toMatchObject({ model: "churn", version: 3, alias: "production", latencyMs: 0.5, at: "2024-02-01T00:00:00.000Z" });
  });

  it("copies a big request body's bytes as received, raw newlines turned to spaces, multi-byte text intact", async () => {
    const log = new PredictionLog({ dir });
    const records = Array.from({ length: 60 }, (_, i) => ({ tenure: i, contract: `Tvåårs “avtal” 😀 ${i}` }));
    const outputs = records.map(() => ({ label: "No", probabilities: { No: 0.9, Yes: 0.1 } }));
    const ids = records.map((_, i) => `id${i}`);
    const requestJson = JSON.stringify({ records }, null, "\r\n  ".slice(2)).replace(/\n/g, "\r\n");
    const requestBytes = Buffer.from(requestJson);
    expect(requestBytes.length).toBeGreaterThan(2048);
    const base = { model: "churn", version: 5, alias: "production", at: "2024-03-01T00:00:00.000Z", latencyMs: 2, ids, records, outputs };
    log.logRequest({ ...base, requestJson, requestBytes, responseJson: JSON.stringify({ predictions: outputs, ids }) });
    log.logRequest({ ...base, ids: ids.map((x) => `${x}b`), requestJson, requestBytes: requestBytes.subarray(0, 10), responseJson: JSON.stringify({ predictions: outputs, ids: ids.map((x) => `${x}b`) }) });
    await log.close();
    const vdir = versionDir(dir, "churn", 5);
    const [file] = await readdir(vdir);
    expect((await readFile(join(vdir, file), "utf8")).trim().split("\n")).toHaveLength(2);
    const got = (await readPredictions(dir, "churn", 5)).predictions;
    // The second request's bytes were short (a small body goes in as text): its text is what was logged.
    expect(got.map((p) => [p.id, p.inputs.contract])).toEqual([...records, ...records].map((r, i) => [i < 60 ? `id${i}` : `id${i - 60}b`, r.contract]));
  });

  it("logs a request given only as its body's bytes (a KServe V2 body: small or big, pretty-printed, with a BOM) as that body", async () => {
    const inputs = (n: number) => [
      { name: "tenure", datatype: "INT64", shape: [n], data: Array.from({ length: n }, (_, i) => i) },
      { name: "contract", datatype: "BYTES", shape: [n, 1], data: Array.from({ length: n }, (_, i) => [`Två år 😀 ${i}`]) },
    ];
    const sent: Array<[number, string]> = [];
    for (const encodeLater of [true, false]) {
      const log = new PredictionLog({ dir, encodeLater });
      for (const [n, text] of [[2, JSON.stringify({ inputs: inputs(2) }, null, 2).replace(/\n/g, "\r\n")], [2, "\uFEFF" + JSON.stringify({ id: "x", inputs: inputs(2) })], [300, JSON.stringify({ inputs: inputs(300) })]] as const) {
        const k = sent.length;
        const ids = Array.from({ length: n }, (_, i) => `r${k}-${i}`);
        const outputs = ids.map(() => ({ label: "No", probabilities: { No: 0.9, Yes: 0.1 } }));
        log.logRequest({ model: "churn", version: 8, alias: null, at: "2024-03-01T00:00:00.000Z", latencyMs: 1, ids, records: [], outputs, requestBytes: Buffer.from(text), responseJson: JSON.stringify({ predictions: outputs, ids }) });
        sent.push([n, text]);
      }
      await log.close();
    }
    const files = await readdir(versionDir(dir, "churn", 8));
    const lines = (await Promise.all(files.map((f) => readFile(join(versionDir(dir, "churn", 8), f), "utf8")))).flatMap((t) => t.trim().split("\n"));
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(JSON.parse(line).request.inputs[0].name).toBe("tenure");
    const got = (await readPredictions(dir, "churn", 8)).predictions;
    expect(got).toHaveLength(2 * (2 + 2 + 300));
    const byId = new Map(got.map((p) => [p.id, p.inputs]));
    sent.forEach(([n], k) => {
      for (let i = 0; i < n; i++) expect(byId.get(`r${k}-${i}`)).toEqual({ tenure: i, contract: `Två år 😀 ${i}` });
    });
    // The line made without the log's buffer (requestLine) says the same.
    expect(JSON.parse(requestLine({ model: "m", version: 1, alias: null, at: "t", latencyMs: 1, ids: ["a"], records: [], outputs: [], requestBytes: Buffer.from(sent[1][1]), responseJson: "{}" })).request.id).toBe("x");
  });

  it("writes a request given in pieces exactly as the same request given whole", async () => {
    const records = Array.from({ length: 250 }, (_, i) => ({ tenure: i, contract: i % 2 ? "One year" : "Två år\n😀" }));
    const outputs = records.map((_, i) => ({ label: "No", probabilities: { No: 1 - i / 1000, Yes: i / 1000 } }));
    const ids = records.map((_, i) => `id${i}`);
    const base = { model: "churn", version: 6, alias: "production", at: "2024-03-01T00:00:00.000Z", latencyMs: 2, ids, records, outputs };
    const requestJson = JSON.stringify({ records });
    const responseJson = JSON.stringify({ predictions: outputs, ids });
    const cut = (s: string) => [s.slice(0, 7), s.slice(7, 4000), s.slice(4000)];
    const lines: string[] = [];
    for (const texts of [{ requestJson, responseJson }, { requestParts: cut(requestJson), responseParts: cut(responseJson) }, { requestJson, responseParts: cut(responseJson) }]) {
      const d = await mkdtemp(join(dir, "v-"));
      const log = new PredictionLog({ dir: d });
      log.logRequest({ ...base, ...texts });
      await log.close();
      const vdir = versionDir(d, "churn", 6);
      lines.push(await readFile(join(vdir, (await readdir(vdir))[0]), "utf8"));
      expect((await readPredictions(d, "churn", 6)).predictions.map((p) => [p.id, p.inputs.contract])).toEqual(records.map((r, i) => [ids[i], r.contract]));
    }
    expect(lines[0].split("\n")).toHaveLength(2);
    expect(lines[1]).toBe(lines[0]);
    expect(lines[2]).toBe(lines[0]);
  });

  it("encodes after the request's own callbacks, the same lines as encoding at once, and counts waiting entries", async () => {
    const texts: string[] = [];
    for (const encodeLater of [true, false]) {
      const d = await mkdtemp(join(dir, "e-"));
      const log = new PredictionLog({ dir: d, encodeLater, capacity: 4 });
      const records = [{ tenure: 1, contract: "One year" }];
      const outputs = [{ label: "No", probabilities: { No: 0.8, Yes: 0.2 } }];
      for (let i = 0; i < 5; i++) {
        log.logRequest({ model: "churn", version: 7, alias: "production", at: "2024-02-01T00:00:00.000Z", latencyMs: i, ids: [`r${i}`], records, outputs, requestJson: JSON.stringify({ records }), responseJson: JSON.stringify({ predictions: outputs, ids: [`r${i}`] }) });
      }
      // The fifth is over capacity whether or not the first four are encoded yet.
      expect(log.stats()).toMatchObject({ accepted: encodeLater ? 0 : 4, pending: 4, dropped: 1 });
      await new Promise((r) => setImmediate(r));
      expect(log.stats()).toMatchObject({ accepted: 4, pending: 4 });
      await log.close();
      const vdir = versionDir(d, "churn", 7);
      texts.push(await readFile(join(vdir, (await readdir(vdir))[0]), "utf8"));
    }
    expect(texts[0].split("\n")).toHaveLength(5);
    expect(texts[0]).toBe(texts[1]);
  });

  it("skips a request line whose ids and records disagree", async () => {
    const vdir = versionDir(dir, "churn", 4);
    await mkdir(vdir, { recursive: true });
    await writeFile(join(vdir, "x.ndjson"), '{"model":"churn","version":4,"alias":null,"at":"2024","latencyMs":1,"request":{"records":[{}]},"response":{"predictions":[],"ids":["z"]}}\n');
    expect(await readPredictions(dir, "churn", 4)).toEqual({ predictions: [], skippedLines: 1 });
  });

  it("streams a log larger than one read chunk, multi-byte characters across chunk edges intact", async () => {
    const log = new PredictionLog({ dir, capacity: 1e6 });
    const note = "é€😀".repeat(150); // 3-, 3- and 4-byte UTF-8 sequences
    for (let i = 0; i < 12_000; i++) log.log({ ...pred(i), inputs: { tenure: i, contract: note } });
    await log.close();
    const f = await readLoggedFrame(dir, "churn", 1);
    expect(f.rowCount).toBe(12_000);
    expect(f.skippedLines).toBe(0);
    expect((f.columns[1].values as string[]).every((v) => v === note)).toBe(true);
    expect((f.columns[0].values as Float64Array)[11_999]).toBe(11_999);
    const last = await readLoggedFrame(dir, "churn", 1, { limit: 10 });
    expect(Array.from(last.columns[0].values as Float64Array)).toEqual(Array.from({ length: 10 }, (_, i) => 11_990 + i));
  });

  it("rotates its file by size and age, each closed file renamed complete, none left open after close", async () => {
    const log = new PredictionLog({ dir, rotateBytes: 2_000, batchSize: 5 });
    for (let i = 0; i < 60; i++) {
      log.log(pred(i));
      if (i % 5 === 4) await log.flush();
    }
    const vdir = versionDir(dir, "churn", 1);
    const open = (await readdir(vdir)).filter((f) => f.endsWith(".active.ndjson"));
    expect(open.length).toBeLessThanOrEqual(1);
    await log.close();
    const names = (await readdir(vdir)).sort();
    expect(names.length).toBeGreaterThan(3);
    expect(names.every((f) => /^predictions-.*\.ndjson$/.test(f) && !f.endsWith(".active.ndjson"))).toBe(true);
    // Files sort in the order they were written, so the reader keeps the traffic's order.
    expect((await readPredictions(dir, "churn", 1)).predictions.map((p) => p.id)).toEqual(Array.from({ length: 60 }, (_, i) => `p${i}`));
    const aged = new PredictionLog({ dir, rotateMs: 0 });
    aged.log(pred(100, 2));
    await aged.flush();
    expect((await readdir(versionDir(dir, "churn", 2))).every((f) => !f.endsWith(".active.ndjson"))).toBe(true);
    await aged.close();
  });

  it("compacts on a worker thread only when there is something to compact", async () => {
    const log = new PredictionLog({ dir });
    for (let i = 0; i < 30; i++) log.log(pred(i));
    await log.flush();
    expect(await compactInWorker(dir)).toMatchObject({ files: 0 }); // the file is still open
    await log.close();
    expect(await compactInWorker(dir)).toMatchObject({ files: 1, rows: 30 });
    expect((await readdir(versionDir(dir, "churn", 1)))[0]).toMatch(/\.parquet$/);
  });

  it("with a limit, reads an NDJSON file from its end: lines across 1 MiB chunk edges, huge lines and a torn tail", async () => {
    const log = new PredictionLog({ dir, capacity: 1e7 });
    const big = "😀é".repeat(400_000); // one line of ~2.4 MB: longer than a read chunk
    for (let i = 0; i < 4000; i++) {
      const inputs = i === 1500 ? { tenure: i, contract: big } : { tenure: i, contract: "ü€".repeat(i % 300) };
      log.log({ ...pred(i), inputs });
      if (i % 500 === 499) await log.flush();
    }
    await log.flush();
    const vdir = versionDir(dir, "churn", 1);
    const [file] = await readdir(vdir);
    await appendFile(join(vdir, file), '{"id":"torn","inp');
    const all = (await readPredictions(dir, "churn", 1)).predictions.map((p) => p.id);
    expect(all).toHaveLength(4000);
    for (const limit of [1, 7, 1000, 2501, 2600, 3999, 4000, 10_000]) {
      const got = await readPredictions(dir, "churn", 1, { limit });
      expect(got.predictions.map((p) => p.id)).toEqual(all.slice(-limit));
      expect(got.skippedLines).toBe(1);
    }
    const f = await readLoggedFrame(dir, "churn", 1, { limit: 2500 });
    expect((f.columns[1].values as string[])[0]).toBe(big);
    await log.close();
  });

  it("infers column kinds without a signature", () => {
    const f = predictionsToFrame([pred(1), pred(2)]);
    expect(f.columns.map((c) => c.kind)).toEqual(["numeric", "categorical", "numeric"]);
  });

  it("keeps model names with path characters inside the log folder", () => {
    expect(versionDir("/logs", "../../etc", 3)).toBe(join("/logs", ".._.._etc", "3"));
  });
});
