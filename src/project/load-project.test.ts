import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { initProject } from "./init-project.js";
import { definePipeline, loadProject, projectFromYaml } from "./load-project.js";
import { tabularDataset } from "./config.js";

const minimal = `name: demo
sources:
  - name: raw
dataset:
  table: gold.training
  target: label
  task: binary
train:
  candidates:
    - { name: lr, model: logistic_regression }
registry:
  model: demo
`;

describe("millrace.yaml", () => {
  it("fills defaults and resolves state paths under the project", () => {
    const p = projectFromYaml(minimal, "/tmp/demo/millrace.yaml");
    expect(p.config.sources[0]).toEqual({ name: "raw", path: "data/landing", pattern: "*.{csv,parquet}", format: "auto" });
    expect(p.config.train.cv_folds).toBe(5);
    expect(p.config.profiles).toBe(true);
    expect(p.config.dataset.split).toEqual({ test_fraction: 0.2, seed: 42, stratify: true });
    expect(p.config.registry.gate).toMatchObject({ min: {}, max: {}, must_beat_production: true, min_improvement: 0 });
    expect(p.config.serve.port).toBe(8080);
    expect(p.paths.lake).toBe("/tmp/demo/.millrace/lake");
  });

  it("names file, line, column and field of a schema error", () => {
    const bad = minimal.replace("task: binary", "task: clustering").replace("  - { name: lr, model: logistic_regression }", "  - { name: lr, model: logistic_regression, depth: 3 }");
    expect(() => projectFromYaml(bad, "/x/millrace.yaml")).toThrow(/millrace\.yaml:7:9 dataset\.task: .*binary.*recommendation/);
    expect(() => projectFromYaml(bad, "/x/millrace.yaml")).toThrow(/millrace\.yaml:10:47 train\.candidates\.0\.depth: unknown key "depth" \(allowed here: params, search\)/);
  });

  it("reports a missing required section and bad table names", () => {
    const noRegistry = minimal.replace(/registry:\n  model: demo\n/, "");
    expect(() => projectFromYaml(noRegistry, "/x/millrace.yaml")).toThrow(/millrace\.yaml:1:1 registry: /);
    const badTable = minimal.replace("gold.training", "training");
    expect(() => projectFromYaml(badTable, "/x/millrace.yaml")).toThrow(/dataset\.table: write tables as/);
  });

  it("reports YAML syntax errors with a line", () => {
    expect(() => projectFromYaml("name: demo\nsources: [\n", "/x/millrace.yaml")).toThrow(/millrace\.yaml:\d+:\d+ invalid YAML/);
  });

  it("says how to start when there is no project file", () => {
    expect(() => loadProject(os.tmpdir())).toThrow(/no millrace\.yaml/);
  });

  it("accepts the same definition from TypeScript", () => {
    const p = definePipeline({
      name: "demo",
      sources: [{ name: "raw" }],
      dataset: { table: "gold.training", target: "label", task: "regression" },
      train: { candidates: [{ name: "lr", model: "linear_regression" }] },
      registry: { model: "demo" },
    });
    expect(tabularDataset(p.config).exclude).toEqual([]);
    expect(() => definePipeline({ name: "x" } as never)).toThrow(/sources/);
    const badSource = { name: "demo", sources: [{ name: "raw", schema_policy: "add_column" }], dataset: { table: "gold.training", target: "label", task: "regression" }, train: { candidates: [{ name: "lr", model: "linear_regression" }] }, registry: { model: "demo" } };
    expect(() => definePipeline(badSource as never)).toThrow(/sources\.0\.schema_policy: Invalid option: expected one of "fail"\|"add_columns"\|"coerce"/);
  });

  it("init scaffolds a project that loads, and refuses to overwrite one", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-init-")), "my-project");
    const { files } = initProject(dir);
    expect(files).toContain("millrace.yaml");
    const p = loadProject(dir);
    expect(p.config.name).toBe("my_project");
    expect(fs.readFileSync(path.join(dir, "data/sample/sample.csv"), "utf8").split("\n")).toHaveLength(402);
    expect(() => initProject(dir)).toThrow(/already exists/);
  });
});

describe("store locations", () => {
  const withStore = (store: string) => `${minimal}store:\n${store}`;
  const refused = (yaml: string): { path: unknown; hint: unknown; message: string } => {
    try {
      projectFromYaml(yaml, "/tmp/demo/millrace.yaml");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const err = e as ConfigError;
      return { path: err.details.path, hint: err.hint, message: err.message };
    }
    throw new Error("not refused");
  };

  it("refuses a lake, metadata or artifact URL no adapter opens, naming the key, instead of making a folder called s3:", () => {
    const lake = refused(withStore("  lake: s3://bucket/lake\n"));
    expect(lake.message).toMatch(/^store\.lake: "s3:\/\/bucket\/lake" is not a supported lake location/);
    expect(lake.path).toBe("store.lake");
    expect(lake.hint).toMatch(/folder/);
    expect(refused(withStore("  lake: file:///data/lake\n")).path).toBe("store.lake");
    expect(refused(withStore("  metadata: mysql://db/x\n")).path).toBe("store.metadata");
    expect(refused(withStore("  artifacts: gs://bucket/x\n")).path).toBe("store.artifacts");
    expect(refused(withStore("  artifacts: s3:///no-bucket\n")).path).toBe("store.artifacts");
  });

  it("accepts folders, sqlite:, postgres:// and s3://, resolving files against the project", () => {
    const p = projectFromYaml(withStore("  lake: /shared/lake\n  metadata: sqlite:state/meta.db\n  artifacts: s3://bucket/prefix\n"), "/tmp/demo/millrace.yaml");
    expect(p.paths).toMatchObject({ lake: "/shared/lake", metadata: "sqlite:/tmp/demo/state/meta.db", artifacts: "s3://bucket/prefix" });
    const pg = projectFromYaml(withStore("  metadata: postgresql://u@h:5432/db?schema=x\n  lake: lake\n"), "/tmp/demo/millrace.yaml");
    expect(pg.paths).toMatchObject({ metadata: "postgresql://u@h:5432/db?schema=x", lake: "/tmp/demo/lake" });
  });

  it("names the environment variable when it holds the unsupported URL", () => {
    const before = process.env.MILLRACE_ARTIFACTS_URL;
    process.env.MILLRACE_ARTIFACTS_URL = "azure://container/x";
    try {
      expect(refused(minimal).path).toBe("MILLRACE_ARTIFACTS_URL");
    } finally {
      if (before === undefined) delete process.env.MILLRACE_ARTIFACTS_URL;
      else process.env.MILLRACE_ARTIFACTS_URL = before;
    }
  });
});

describe("error messages a new user can act on", () => {
  const churn = fs.readFileSync(path.join(import.meta.dirname, "../../examples/churn/millrace.yaml"), "utf8");
  const messageOf = (yaml: string): string => {
    try {
      projectFromYaml(yaml, "/x/millrace.yaml");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).message;
    }
    throw new Error("not refused");
  };
  const withSourceLine = (line: string) => churn.replace('    pattern: "*.csv"\n', `    pattern: "*.csv"\n${line}\n`);
  const lineOf = (yaml: string, needle: string) => yaml.split("\n").findIndex((l) => l.includes(needle)) + 1;
  /** "line:column" where `needle` is written. */
  const posOf = (yaml: string, needle: string) => `${lineOf(yaml, needle)}:${yaml.split("\n")[lineOf(yaml, needle) - 1].indexOf(needle) + 1}`;

  it("refuses a CSV column type DuckDB does not know, at its line, with the accepted names and a suggestion", () => {
    const typo = withSourceLine("    csv:\n      types: { customer_id: NOTATYPE, zip: VARCHR }");
    const msg = messageOf(typo);
    expect(msg).toContain(`millrace.yaml:${posOf(typo, "NOTATYPE")} sources.0.csv.types.customer_id: "NOTATYPE" is not a DuckDB type; use a DuckDB type: BOOLEAN,`);
    expect(msg).toMatch(/DECIMAL\(p,s\)/);
    expect(msg).toMatch(/TIMESTAMP WITH TIME ZONE/);
    expect(msg).toMatch(/sources\.0\.csv\.types\.zip: "VARCHR" is not a DuckDB type; did you mean "VARCHAR"\? Use a DuckDB type: BOOLEAN,/);
    const ok = projectFromYaml(withSourceLine('    csv:\n      types: { customer_id: VARCHAR, amount: "DECIMAL(10,2)", at: TIMESTAMP WITH TIME ZONE }'), "/x/millrace.yaml");
    expect(ok.config.sources[0]).toMatchObject({ csv: { types: { customer_id: "VARCHAR" } } });
  });

  it("explains a bad field inside a source by the source's kind, at the field's line, with the allowed values", () => {
    const policy = withSourceLine("    schema_policy: add_column");
    expect(messageOf(policy)).toMatch(new RegExp(`millrace\\.yaml:${posOf(policy, "add_column")} sources\\.0\\.schema_policy: Invalid option: expected one of "fail"\\|"add_columns"\\|"coerce"; did you mean "add_columns"\\?`));
    const pattern = churn.replace('    pattern: "*.csv"', "    pattern: 5");
    expect(messageOf(pattern)).toMatch(new RegExp(`millrace\\.yaml:${posOf(pattern, "5")} sources\\.0\\.pattern: Invalid input: expected string, received number$`, "m"));
    const encoding = withSourceLine("    csv: {encoding: utf8}");
    expect(messageOf(encoding)).toMatch(new RegExp(`millrace\\.yaml:${posOf(encoding, "utf8")} sources\\.0\\.csv\\.encoding: Invalid option: expected one of "utf-8"\\|"utf-16"\\|"latin-1"; did you mean "utf-8"\\?`));
    // A source with a postgres: key is a PostgreSQL source, even with a file source's key beside it.
    const pg = churn.replace('    path: data/landing         # every file dropped here is ingested once\n', "    postgres: { url: postgres://h/db, table: t, cursor: c, urll: x }\n");
    const pgMsg = messageOf(pg);
    expect(pgMsg).toMatch(/sources\.0\.postgres\.urll: unknown key "urll"/);
    expect(pgMsg).toMatch(/sources\.0\.pattern: unknown key "pattern"/);
    expect(pgMsg).not.toMatch(/Invalid input$/m);
    // zod itself picks the file branch when that one fails only on unknown keys: the kind still decides.
    const pgTypo = churn.replace('    path: data/landing         # every file dropped here is ingested once\n    pattern: "*.csv"\n', "    postgres: { url: postgres://h/db, table: t, cursr: c }\n");
    const pgTypoMsg = messageOf(pgTypo);
    expect(pgTypoMsg).toContain(`millrace.yaml:${posOf(pgTypo, "cursr")} sources.0.postgres.cursr: unknown key "cursr"; did you mean "cursor"? (cursor is required)`);
    expect(pgTypoMsg).not.toMatch(/unknown key "postgres"/);
    // Suggestions come from the keys of the source's kind: a PostgreSQL source has no path.
    const pgPath = pgTypo.replace("    postgres: {", "    pathh: x\n    postgres: {");
    expect(messageOf(pgPath)).toMatch(/sources\.0\.pathh: unknown key "pathh" \(allowed here: schema_policy\)/);
  });

  it("reports an unknown key at its own line with a suggestion, once when it misspells a required key", () => {
    const top = churn.replace(/^dataset:/m, "datset:");
    const topMsg = messageOf(top);
    expect(topMsg).toContain(`millrace.yaml:${posOf(top, "datset")} datset: unknown key "datset"; did you mean "dataset"? (dataset is required)`);
    expect(topMsg.split("\n")).toHaveLength(2);
    const nested = churn.replace("  target: churn", "  targt: churn");
    const nestedMsg = messageOf(nested);
    expect(nestedMsg).toContain(`millrace.yaml:${posOf(nested, "targt")} dataset.targt: unknown key "targt"; did you mean "target"? (target is required)`);
    expect(nestedMsg.split("\n")).toHaveLength(2);
    const optional = churn.replace("  cv_folds: 5", "  cv_fold: 5");
    expect(messageOf(optional)).toContain(`millrace.yaml:${posOf(optional, "cv_fold")} train.cv_fold: unknown key "cv_fold"; did you mean "cv_folds"?`);
    const far = churn.replace("  cv_folds: 5", "  zzz: 5");
    expect(messageOf(far)).toMatch(/train\.zzz: unknown key "zzz" \(allowed here: .*cv_folds/);
  });

  it("prints a whole YAML syntax error: line, column, the reason and the offending line", () => {
    const bad = churn.replace("  target: churn", "  target: [churn");
    const line = lineOf(bad, "target: [churn");
    const msg = messageOf(bad);
    expect(msg).toBe(`millrace.yaml:${line + 1}:3 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n  ${line} |   target: [churn\n  ${line + 1} |   task: binary\n     |   ^`);
  });
});
