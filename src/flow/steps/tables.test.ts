// Tests of the source step through a whole pipeline run: a landing source with `key:` keeps one row per key, the
// run summary (what `millrace run --json` prints) carries the change counts, and silver rebuilt from it drops deletes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectFromYaml } from "../../project/load-project.js";
import { ConfigError } from "../../errors.js";
import { runPipeline } from "../pipeline.js";
import { withResources } from "../resources.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const YAML = `name: keyed
sources:
  - name: customers
    pattern: "*.csv"
    key: [id]
checks:
  silver.customers:
    - { rule: unique, column: id }
dataset: { table: silver.customers, target: churned, task: binary, positive: "yes", exclude: [id] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: keyed, gate: { must_beat_production: false } }
`;

function project(yaml = YAML) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-keyed-"));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "models/silver"), { recursive: true });
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  fs.writeFileSync(path.join(dir, "models/silver/customers.sql"), "select * exclude (_source_file, _ingested_at, _batch_id) from {{ ref('bronze.customers') }}\n");
  fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
  const p = projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
  const land = (name: string, text: string) => fs.writeFileSync(path.join(dir, "data/landing", name), text);
  const run = () => withResources(p, (r) => runPipeline(r));
  const count = (sql: string) => withResources(p, async (r) => (await r.lake.query(sql))[0]);
  return { dir, land, run, count };
}

/** n customers with ids from `from`, alternating labels so a classifier can train. */
function rows(from: number, n: number, plan = "basic"): string {
  return Array.from({ length: n }, (_, i) => `${from + i},${plan},${(from + i) % 7},${(from + i) % 2 ? "yes" : "no"}`).join("\n");
}

describe("keyed landing source in a pipeline run", () => {
  it("updates replace rows, _deleted removes them, the summary carries the counts, silver follows", async () => {
    const p = project();
    p.land("a.csv", `id,plan,tenure,churned\n${rows(1, 40)}\n`);
    const first = await p.run();
    expect(first.failure).toBeUndefined();
    expect(first.ingest[0]).toMatchObject({ table: "bronze.customers", version: 1, rowsOut: 40, changes: { inserted: 40, updated: 0, deleted: 0, unchanged: 0 } });

    // 5 customers change plan, 3 leave, 2 are new; the unique check on silver passes.
    p.land("b.csv", `id,plan,tenure,churned,_deleted\n${rows(1, 5, "pro").split("\n").map((l) => `${l},false`).join("\n")}\n10,,,,true\n11,,,,true\n12,,,,true\n${rows(41, 2).split("\n").map((l) => `${l},false`).join("\n")}\n`);
    const second = await p.run();
    expect(second.failure).toBeUndefined();
    expect(second.ingest[0]).toMatchObject({ version: 2, changes: { inserted: 2, updated: 5, deleted: 3, unchanged: 0 } });
    expect(second.tasks["ingest:bronze.customers"].note).toMatch(/2 inserted, 5 updated, 3 deleted, 0 unchanged/);
    expect(await p.count("SELECT count(*) AS n, count(DISTINCT id) AS ids, count(*) FILTER (WHERE plan = 'pro') AS pro FROM bronze.customers")).toEqual({ n: 39, ids: 39, pro: 5 });
    expect(await p.count("SELECT count(*) AS n, count(*) FILTER (WHERE id IN (10, 11, 12)) AS gone FROM silver.customers")).toEqual({ n: 39, gone: 0 });

    // A rerun with no new file: nothing ingested, bronze unchanged.
    const third = await p.run();
    expect(third.ingest[0]).toMatchObject({ version: 2 });
    expect(await p.count("SELECT count(*) AS n FROM bronze.customers")).toEqual({ n: 39 });
  });

  it("refuses a snapshot mode without a key, and a duration it cannot read, naming the field", async () => {
    expect(() => project(YAML.replace("key: [id]", "mode: snapshot"))).toThrow(/mode needs key/);
    const bad = YAML.replace(/sources:[\s\S]*?checks:/, `sources:
  - name: customers
    postgres: { url: "postgres://x@127.0.0.1:1/x", table: t, cursor: at, key: [id], cursor_lookback: "1 hour" }
checks:`);
    const p = project(bad);
    const out = await p.run();
    expect(out.failure).toMatchObject({ code: new ConfigError("").code, message: expect.stringMatching(/sources\.customers\.postgres\.cursor_lookback/) });
  });
});

describe("checks edited after a table version was built", () => {
  it("run on the reused version: an edited check that fails fails the run, an unchanged one is not re-run", async () => {
    const p = project();
    p.land("a.csv", `id,plan,tenure,churned\n${rows(1, 40)}\n`);
    expect((await p.run()).failure).toBeUndefined();

    // Same data, a range check added to silver: silver is reused, the new check runs on it and fails (tenure up to 6).
    const strict = YAML.replace("    - { rule: unique, column: id }", "    - { rule: unique, column: id }\n    - { rule: range, column: tenure, max: 3 }");
    fs.writeFileSync(path.join(p.dir, "millrace.yaml"), strict);
    const again = () => withResources(projectFromYaml(fs.readFileSync(path.join(p.dir, "millrace.yaml"), "utf8"), path.join(p.dir, "millrace.yaml")), (r) => runPipeline(r));
    const failed = await again();
    expect(failed.failure?.message).toMatch(/quality checks failed on silver\.customers@1/);
    expect(failed.tasks["transform:silver.customers"].note).toMatch(/unchanged, reused v1.*checks changed, run on v1: 1 of 2 rules failed/);

    // A passing edit is checked once, then recorded: the next run with the same checks does not run them again.
    fs.writeFileSync(path.join(p.dir, "millrace.yaml"), strict.replace("max: 3", "max: 10"));
    const passed = await again();
    expect(passed.failure).toBeUndefined();
    expect(passed.tasks["transform:silver.customers"].note).toMatch(/checks changed, run on v1: 0 of 2 rules failed/);
    const quiet = await again();
    expect(quiet.failure).toBeUndefined();
    expect(quiet.tasks["transform:silver.customers"].note).not.toMatch(/checks/);
  });

  it("a freshness rule runs again on a reused version (its answer moves with the clock, not the data)", async () => {
    const fresh = YAML.replace("checks:\n", "checks:\n  bronze.customers:\n    - { rule: freshness, column: _ingested_at, max_age: 7d }\n");
    const p = project(fresh);
    p.land("a.csv", `id,plan,tenure,churned\n${rows(1, 40)}\n`);
    expect((await p.run()).failure).toBeUndefined();
    const again = await p.run();
    expect(again.failure).toBeUndefined();
    const note = Object.entries(again.tasks).find(([k]) => k.startsWith("ingest:bronze.customers"))?.[1].note ?? "";
    expect(note).toMatch(/freshness checked again, run on v1: 0 of 1 rules failed/);
  });
});
