// `millrace init` through the CLI: each task's scaffold runs and promotes; the user's files never merge with the
// sample, and following the scaffold's own steps trains on exactly the user's rows.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { cli, millrace } from "./cli.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-init-cli-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** 200 rows of the user's own data: other columns than the sample, label = yes when a is high. */
function userFile(): string {
  const rows = ["a,b,label"];
  for (let i = 0; i < 200; i++) rows.push(`${i % 17},${(i * 7) % 11},${i % 17 > 8 ? "yes" : "no"}`);
  return rows.join("\n") + "\n";
}

const tables = (dir: string) => Object.fromEntries(millrace(["tables", "-p", dir, "--json"]).json.map((t: any) => [t.table, t]));

vi.setConfig({ testTimeout: 180_000 });

describe("millrace init", () => {
  it.each(["binary", "multiclass", "regression"])("a fresh %s project runs and promotes its first model", (task) => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npm test builds it first (npm run build)");
    const dir = path.join(root, task);
    const init = millrace(["init", dir, "--task", task, "--json"]);
    expect(init.code, init.out).toBe(0);
    expect(init.json.sample).toEqual({ source: "sample", path: "data/sample/sample.csv", table: "bronze.sample" });
    const r = millrace(["run", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.model).toMatchObject({ version: 1, promoted: true });
  });

  it("says where the sample lives", () => {
    const r = millrace(["init", path.join(root, "text")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the sample is its own source "sample" (data/sample/sample.csv → bronze.sample)');
    expect(r.stdout).toContain("the gate checks min: { roc_auc: 0.7 } (task: binary)");
  });

  it("never merges a user's file with the sample; the scaffold's steps train on exactly the user's rows", () => {
    const dir = path.join(root, "mine");
    expect(millrace(["init", dir]).code).toBe(0);
    fs.writeFileSync(path.join(dir, "data/landing/accounts.csv"), userFile());
    // Before the user switches sources, the sample table holds the sample and nothing else.
    expect(millrace(["run", dir, "--json"]).code).toBe(0);
    expect(tables(dir)["bronze.sample"].rowCount).toBe(400);
    expect(tables(dir)["silver.clean"].columns).toBe(4);

    // The steps millrace.yaml gives: uncomment "raw", ref it from clean.sql, delete the sample source and folder.
    const yamlFile = path.join(dir, "millrace.yaml");
    const yaml = fs.readFileSync(yamlFile, "utf8")
      .replace(/  - name: sample[^\n]*\n    path: data\/sample\n    pattern: "\*\.csv"\n/, "")
      .replace(/  # - name: raw([^\n]*)\n  #   path: data\/landing\n  #   pattern/, "  - name: raw$1\n    path: data/landing\n    pattern");
    fs.writeFileSync(yamlFile, yaml);
    const sqlFile = path.join(dir, "models/silver/clean.sql");
    fs.writeFileSync(sqlFile, fs.readFileSync(sqlFile, "utf8").replace("ref('bronze.sample')", "ref('bronze.raw')"));
    fs.rmSync(path.join(dir, "data/sample"), { recursive: true });
    const r = millrace(["run", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.ingest).toEqual([expect.objectContaining({ table: "bronze.raw", rowsIn: 200, rowsOut: 200 })]);
    const t = tables(dir);
    expect([t["silver.clean"].rowCount, t["silver.clean"].columns]).toEqual([200, 3]);
    expect(r.json.dataset).toMatchObject({ rows: 200, features: ["a", "b"] });
  });
});
