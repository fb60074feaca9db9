// Through the built CLI: a .json landing file with lines DuckDB refuses finishes `millrace run` (was endless),
// `millrace revert` and `millrace ingest --forget` change row counts (and quarantine lines) exactly and audit who did
// it, each with --json.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { millrace } from "../../../test/cli.js";

let dir: string;
const landing = () => path.join(dir, "data/landing");
const good = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ id: from + i, x: (from + i) % 7, y: (from + i) % 3 === 0 ? "yes" : "no" })).join("\n");

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-undo-"));
  fs.mkdirSync(landing(), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "millrace.yaml"),
    `name: undo
sources:
  - { name: events, path: data/landing, pattern: "*.json" }
dataset: { table: bronze.events, target: y, task: binary, positive: "yes", exclude: [id] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: undo, gate: { must_beat_production: false } }
`,
  );
  // Two lines JSON.parse accepts and DuckDB refuses, between good ones.
  fs.writeFileSync(path.join(landing(), "a.json"), `${good(0, 100)}\n{"id":1000,"x":"\\ud800","y":"no"}\n{"id":1001,"x\\u0000y":1,"y":"no"}\n${good(100, 100)}\n`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("undo through the CLI", () => {
  it("run finishes on a .json file with a lone surrogate and a NUL key: 200 rows in, 2 quarantined", () => {
    const r = millrace(["run", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.ingest[0]).toMatchObject({ table: "bronze.events", version: 1, rowsOut: 200, rowsBad: 2 });
    expect(fs.readdirSync(path.join(dir, ".millrace/lake/tables/bronze/events/_tmp"))).toEqual([]);
  });

  it("revert --to 1 after a bad file: v1's 200 rows are current as v3, audited; --json carries it", () => {
    fs.writeFileSync(path.join(landing(), "b.json"), good(500, 50));
    expect(millrace(["run", dir, "--json"]).json.ingest[0]).toMatchObject({ version: 2, rowsOut: 50 });
    const r = millrace(["revert", "bronze.events", "--to", "1", "-p", dir, "--actor", "ann", "--reason", "b.json was wrong", "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json).toMatchObject({ table: "bronze.events", from: 2, to: 1, version: 3, rowsBefore: 250, rowsAfter: 200, actor: "ann" });
    const q = millrace(["query", "SELECT count(*) AS n, count(*) FILTER (WHERE id >= 500) AS b FROM bronze.events", "-p", dir, "--json"]);
    expect(q.json).toEqual([{ n: 200, b: 0 }]);
    const h = millrace(["history", "bronze.events", "-p", dir, "--json"]);
    expect(h.json.map((v: { operation: string }) => v.operation)).toEqual(["append", "append", "revert"]);
    expect(h.json[2]).toMatchObject({ actor: "ann", reason: "b.json was wrong", note: "content of v1 (was v2)", rowCount: 200 });
    expect(millrace(["history", "bronze.events", "-p", dir]).stdout).toMatch(/v3\s+revert\s+200 .* ann\s+content of v1 \(was v2\); "b\.json was wrong"/);
    const badTo = millrace(["revert", "bronze.events", "--to", "x", "-p", dir, "--json"]);
    expect(badTo).toMatchObject({ code: 2, json: { error: "usage_error" } });
    expect(badTo.json.message).toMatch(/--to <version>' argument 'x' is invalid\. expected a whole number ≥ 1/);
  });

  it("ingest --forget removes exactly a file's rows as a new version; --json; an unknown file is a 1 with a message", () => {
    const r = millrace(["ingest", dir, "--forget", path.join(landing(), "a.json"), "--json"], { USER: "bob" });
    expect(r.code, r.out).toBe(0);
    expect(r.json).toMatchObject({ table: "bronze.events", version: 4, rowsBefore: 200, rowsRemoved: 200, rowsAfter: 0, actor: "bob" });
    const h = millrace(["history", "bronze.events", "-p", dir, "--json"]).json;
    expect(h[h.length - 1]).toMatchObject({ operation: "forget", actor: "bob", rowsRemoved: 200, rowCount: 0, note: `without ${path.join(landing(), "a.json")}` });
    const none = millrace(["ingest", dir, "--forget", path.join(landing(), "nope.json"), "--json"]);
    expect(none).toMatchObject({ code: 1, json: { error: "not_found" } });
    expect(millrace(["ingest", dir, "--json"])).toMatchObject({ code: 1, json: { error: "validation_error", path: "forget" } });
  });

  it("revert of the forget brings back a.json's rows and its 2 quarantined lines, and says so", () => {
    const lines = () => millrace(["query", "SELECT count(*) AS n FROM bronze.events__quarantine", "-p", dir, "--json"]).json;
    expect(lines()).toEqual([{ n: 0 }]);
    const r = millrace(["revert", "bronze.events", "--to", "3", "-p", dir]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toMatch(/bronze\.events: v5 = content of v3 \(0 → 200 rows, was v4\)/);
    expect(r.stdout).toMatch(/bronze\.events__quarantine: 0 → 2 lines, as at v3/);
    expect(lines()).toEqual([{ n: 2 }]);
    const j = millrace(["revert", "bronze.events", "--to", "4", "-p", dir, "--json"]).json;
    expect(j).toMatchObject({ version: 6, rowsAfter: 0, quarantine: { rowsBefore: 2, rowsAfter: 0 }, records: { restored: 0, forgotten: 0 } });
    expect(millrace(["revert", "bronze.events__quarantine", "--to", "1", "-p", dir, "--json"])).toMatchObject({ code: 1, json: { error: "validation_error" } });
  });

  it("ingest --source S --records FILE pushes like POST /ingest/S: checked, once per batch id, unknown sources named", () => {
    const file = path.join(dir, "push.ndjson");
    fs.writeFileSync(file, `${good(500, 20)}\n{"id": 600, "x": "seven", "y": "no"}\n`);
    const refused = millrace(["ingest", dir, "--source", "events", "--records", file, "--json"]);
    expect(refused).toMatchObject({ code: 1, json: { error: "validation_error" } });
    fs.writeFileSync(file, `${good(500, 20)}\n{broken\n`);
    const before = millrace(["history", "bronze.events", "-p", dir, "--json"]).json.length;
    const pushed = millrace(["ingest", dir, "--source", "events", "--records", file, "--batch-id", "b-1", "--json"]);
    expect(pushed.code, pushed.out).toBe(0);
    expect(pushed.json).toMatchObject({ table: "bronze.events", version: before + 1, rowsIn: 21, rowsOut: 20, rowsQuarantined: 1, duplicate: false });
    expect(millrace(["ingest", dir, "--source", "events", "--records", file, "--batch-id", "b-1", "--json"]).json).toMatchObject({ version: null, duplicate: true });
    expect(millrace(["ingest", dir, "--source", "nope", "--records", file, "--json"])).toMatchObject({ code: 1, json: { error: "not_found", path: "source", hint: "sources: events" } });
    expect(millrace(["ingest", dir, "--records", file, "--json"])).toMatchObject({ code: 1, json: { path: "source" } });
  });
});
