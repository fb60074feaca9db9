// The registry and tracking commands on a fresh `millrace init` project: runs search, promote, rollback, archive,
// stage view, alias history, hard delete and garbage collection — through the real CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { millrace } from "./cli.js";

describe("registry and tracking commands", () => {
  let dir: string;
  beforeAll(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-reg-cli-")), "demo");
    expect(millrace(["init", dir, "--json"]).code).toBe(0);
    const yaml = path.join(dir, "millrace.yaml");
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("cv_folds: 5", "cv_folds: 3").replace("candidates:", "retrain: always\n  candidates:")
      // The scaffold trains auto; two explicit learners give runs to sort and one that is never registered.
      .replace("    - { name: auto, model: auto, params: { time_budget_s: 60 } }", "    - { name: logistic, model: logistic_regression }\n    - { name: gbdt, model: gbdt }"));
    for (let i = 0; i < 2; i++) expect(millrace(["run", dir, "--json"]).code).toBe(0);
  });

  it("the scaffolded project trains, registers and promotes", () => {
    const models = millrace(["models", "-p", dir, "--json"]).json;
    expect(models.map((m: any) => m.version)).toEqual([2, 1]);
    expect(models.find((m: any) => m.aliases.includes("production"))).toBeDefined();
    expect(models[0].inputExample).toMatchObject({ color: expect.any(String) });
  });

  it("searches and sorts runs by metric", () => {
    const all = millrace(["runs", "-p", dir, "--json"]).json;
    expect(all).toHaveLength(4);
    const sorted = millrace(["runs", "-p", dir, "--sort", "auc", "--order", "asc", "--json"]).json;
    const aucs = sorted.map((r: any) => r.metrics.roc_auc);
    expect(aucs).toEqual([...aucs].sort((a: number, b: number) => a - b));
    const top = Math.max(...aucs);
    const where = millrace(["runs", "-p", dir, "--where", `roc_auc>=${top}`, "--json"]).json;
    expect(where.every((r: any) => r.metrics.roc_auc >= top)).toBe(true);
    expect(where.length).toBeGreaterThanOrEqual(1);
    expect(millrace(["runs", "-p", dir, "--where", "auc is high"]).out).toContain('write it as metric<op>number');
    const annotated = millrace(["runs", "annotate", all[0].id.slice(0, 8), "-p", dir, "--note", "baseline for Q3", "-t", "owner=ana", "--json"]).json;
    expect(annotated).toMatchObject({ id: all[0].id, notes: "baseline for Q3", tags: { owner: "ana", candidate: all[0].name } });
    // Tags the pipeline writes are its own, as on the dashboard.
    const sys = millrace(["runs", "annotate", all[0].id.slice(0, 8), "-p", dir, "-t", "candidate=mine"]);
    expect(sys.code).not.toBe(0);
    expect(sys.out).toContain("tag candidate is written by the pipeline and cannot be edited");
  });

  it("promotes, rolls back and archives with an audit trail and a stage view", () => {
    expect(millrace(["models", "promote", "demo", "1", "-p", dir, "--alias", "staging", "--reason", "try v1"]).code).toBe(0);
    let models = millrace(["models", "-p", dir, "--json"]).json;
    const prodVersion = models.find((m: any) => m.aliases.includes("production")).version;
    expect(models.find((m: any) => m.version === 1).stage).toBe(prodVersion === 1 ? "Production" : "Staging");
    const other = prodVersion === 1 ? 2 : 1;
    expect(millrace(["models", "promote", "demo", String(other), "-p", dir]).code).toBe(0);
    expect(millrace(["models", "rollback", "demo", "-p", dir, "--json"]).json).toMatchObject({ fromVersion: other, toVersion: prodVersion });
    const archived = millrace(["models", "archive", "demo", String(prodVersion), "-p", dir, "--reason", "bad", "--json"]).json;
    expect(archived.aliasesRemoved.map((t: any) => t.alias)).toContain("production");
    models = millrace(["models", "-p", dir, "--json"]).json;
    expect(models.find((m: any) => m.version === prodVersion).stage).toBe("Archived");
    const refused = millrace(["models", "promote", "demo", String(prodVersion), "-p", dir]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("is archived");
    const history = millrace(["models", "history", "demo", "-p", dir, "--alias", "production", "--json"]).json;
    expect(history.length).toBeGreaterThanOrEqual(4);
    expect(history.at(-1)).toMatchObject({ toVersion: null, reason: expect.stringContaining("archived") });
  });

  it("hard-deletes an unregistered run with its artifacts, refuses a registered one, and collects garbage", () => {
    const models = millrace(["models", "-p", dir, "--json"]).json;
    const registered = new Set(models.map((m: any) => m.runId));
    const runs = millrace(["runs", "-p", dir, "--json"]).json;
    const loose = runs.find((r: any) => !registered.has(r.id));
    // Folder artifact URIs name a key in the project's artifact folder (artifacts:runs/<id>/model.bin).
    const artifact = path.join(dir, ".millrace/artifacts", loose.artifacts[0].replace(/^artifacts:/, ""));
    expect(fs.existsSync(artifact)).toBe(true);
    expect(millrace(["runs", "delete", loose.id.slice(0, 8), "-p", dir, "--json"]).json).toMatchObject({ deleted: [loose.id], artifactsRemoved: 1 });
    expect(fs.existsSync(artifact)).toBe(false);
    const refused = millrace(["runs", "delete", models[0].runId, "-p", dir]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("archive the version instead");
    fs.writeFileSync(path.join(dir, ".millrace/artifacts/stray.bin"), "x");
    expect(millrace(["gc", "-p", dir, "--json"]).json.artifacts).toEqual([expect.stringContaining("stray.bin")]);
  });
});
