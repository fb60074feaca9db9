// `millrace run --strict`: a landing file whose rows were all quarantined, or that lacks or adds a column, makes
// the run print a warning naming the file and exit 1 (without --strict: the same warning, exit 0).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { millrace } from "../../../test/cli.js";

let dir: string;
const rows = (from: number, n: number, cols = "id,x,y") =>
  [cols, ...Array.from({ length: n }, (_, i) => `${from + i},${(from + i) % 7},${(from + i) % 3 === 0 ? "yes" : "no"}${cols.split(",").length > 3 ? ",e" : ""}`)].join("\n") + "\n";

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-strict-"));
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "millrace.yaml"),
    `name: strict
sources:
  - { name: events, path: data/landing, pattern: "*.{csv,json}" }
dataset: { table: bronze.events, target: y, task: binary, positive: "yes", exclude: [id] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: strict, gate: { must_beat_production: false } }
`,
  );
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), rows(0, 200));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("run --strict", () => {
  it("exits 1 naming a file with every row quarantined and a file with a new column; 0 without --strict", () => {
    expect(millrace(["run", dir, "--strict", "--json"]).code).toBe(0);
    fs.writeFileSync(path.join(dir, "data/landing/junk.json"), "not json\nstill not\n");
    fs.writeFileSync(path.join(dir, "data/landing/wide.csv"), rows(300, 20, "id,x,y,extra"));
    const r = millrace(["run", dir, "--strict", "--json"]);
    expect(r.code, r.out).toBe(1);
    expect(r.json.strict.failed).toBe(true);
    expect(r.json.strict.warnings).toEqual([
      expect.stringMatching(/junk\.json: all 2 rows were quarantined/),
      expect.stringMatching(/wide\.csv: has new column extra not in bronze\.events/),
    ]);
    expect(r.json.ingest[0].warnings).toEqual(r.json.strict.warnings);
    fs.writeFileSync(path.join(dir, "data/landing/junk2.json"), "nope\n");
    const loose = millrace(["run", dir]);
    expect(loose.code, loose.out).toBe(0);
    expect(loose.stdout).toMatch(/warning: .*junk2\.json: all 1 rows were quarantined/);
  });
});
