// A project is its folder: after `mv` it still serves, a `cp -r` copy serves its own model files and reruns
// without rebuilding a table or retraining (through the real CLI, real SQLite, real HTTP).
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cli, copyExample, millrace, startServe } from "./cli.js";

const servers: ChildProcess[] = [];
const folders: string[] = [];
afterAll(() => {
  for (const p of servers) p.kill("SIGTERM");
  for (const f of folders) for (const suffix of ["", "-copy", "-moved", "-moved-copy", "-moved-legacy"]) fs.rmSync(f + suffix, { recursive: true, force: true });
});

async function servesOwnModel(dir: string): Promise<void> {
  const s = await startServe(dir);
  servers.push(s.proc);
  expect(s.url, JSON.stringify(s)).toMatch(/^http:/);
  const health = await fetch(`${s.url}/health`);
  expect(health.status, await health.clone().text()).toBe(200);
  const res = await fetch(`${s.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [s.example] }) });
  expect(res.status).toBe(200);
  const body: any = await res.json();
  expect(body.predictions).toHaveLength(1);
  // Wait for the exit: a stopping server still checkpoints meta.db, and the next step copies the folder.
  const exited = new Promise((resolve) => s.proc.once("exit", resolve));
  s.proc.kill("SIGTERM");
  await exited;
}

// Two runs, three servers and a rerun through the CLI: slow on a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

describe("a moved or copied project", () => {
  let original: string;

  beforeAll(() => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npm test builds it first (npm run build)");
    original = copyExample();
    folders.push(original);
    const r = millrace(["run", original, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.model).toMatchObject({ version: 1, promoted: true });
  });

  it("records artifact URIs relative to the artifact folder", () => {
    const models = millrace(["models", "-p", original, "--json"]).json;
    expect(models[0].artifactUri).toMatch(/^artifacts:models\/churn\/run-[0-9a-f-]+\/model\.bin$/);
    const runs = millrace(["runs", "-p", original, "--json"]).json;
    // The run trained and logged its model: the loop below must see at least one artifact.
    expect(runs.flatMap((run: any) => run.artifacts).length, JSON.stringify(runs)).toBeGreaterThan(0);
    for (const run of runs) for (const uri of run.artifacts) expect(uri).toMatch(/^artifacts:runs\//);
  });

  it("a copy reruns with every table version reused and nothing retrained", () => {
    const copy = `${original}-copy`;
    fs.cpSync(original, copy, { recursive: true });
    const r = millrace(["run", copy, "--json"]);
    expect(r.code, r.out).toBe(0);
    const notReused = r.json.tables.filter((t: any) => !t.reused).map((t: any) => `${t.table}@${t.version}`);
    expect(notReused).toEqual([]);
    expect(r.json.tables.every((t: any) => t.version === 1)).toBe(true);
    expect(r.json.training.trained).toBe(false);
    expect(millrace(["models", "-p", copy, "--json"]).json).toHaveLength(1);
    fs.rmSync(copy, { recursive: true, force: true });
  });

  it("serves after mv; a cp -r copy serves its own files once the original's artifacts are gone", async () => {
    const moved = `${original}-moved`;
    fs.renameSync(original, moved);
    original = moved;
    await servesOwnModel(moved);
    const copy = `${moved}-copy`;
    fs.cpSync(moved, copy, { recursive: true });
    fs.rmSync(path.join(moved, ".millrace/artifacts"), { recursive: true });
    await servesOwnModel(copy);
    expect(millrace(["drift", copy]).code).toBe(0);
  });

  it("reads records an older version wrote with absolute file:// URIs of another folder", async () => {
    const copy = `${original}-legacy`;
    fs.cpSync(`${original}-copy`, copy, { recursive: true });
    // What the registry and the tracker wrote before: the absolute path under the folder the project was run in.
    const db = new Database(path.join(copy, ".millrace/meta.db"));
    const gone = path.join(path.dirname(copy), "was-here", ".millrace", "artifacts");
    db.prepare("update model_versions set artifact_uri = 'file://' || ? || '/' || substr(artifact_uri, 11)").run(gone);
    db.prepare("update run_artifacts set uri = 'file://' || ? || '/' || substr(uri, 11)").run(gone);
    expect((db.prepare("select artifact_uri as u from model_versions").get() as { u: string }).u).toMatch(/^file:\/\/.*was-here.*\/models\/churn\//);
    db.close();
    await servesOwnModel(copy);
    // Garbage collection sees the old spelling as the same artifact and removes nothing.
    const gc = millrace(["gc", "-p", copy, "--json"]);
    expect(gc.code, gc.out).toBe(0);
    expect(gc.json.artifacts).toEqual([]);
  });
});
