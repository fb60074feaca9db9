// kill -9 a real `millrace run` while it trains: the next `millrace runs` marks its records failed with the reason.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { cli, copyExample, millrace } from "./cli.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

vi.setConfig({ testTimeout: 180_000 });

describe("a killed millrace run", () => {
  it("leaves no record running once `millrace runs` has looked", async () => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npm test builds it first (npm run build)");
    const dir = copyExample();
    dirs.push(dir);
    const proc = spawn(process.execPath, [cli, "run", dir, "--json"], { stdio: "ignore", env: { ...process.env, NO_COLOR: "1" } });
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    const dbFile = path.join(dir, ".millrace/meta.db");
    // Kill it as soon as a training run is recorded as running (the state a crash mid-training leaves).
    let running: string[] = [];
    for (let i = 0; i < 3000 && running.length === 0; i++) {
      await sleep(10);
      if (!fs.existsSync(dbFile)) continue;
      try {
        const db = new Database(dbFile, { readonly: true, fileMustExist: true });
        running = (db.prepare("select id from runs where status = 'running'").all() as { id: string }[]).map((r) => r.id);
        db.close();
      } catch {
        // The schema is still being created.
      }
    }
    expect(running.length, "the run never recorded a running training run").toBeGreaterThan(0);
    proc.kill("SIGKILL");
    await exited;

    const r = millrace(["runs", "-p", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    const reason = `process ${proc.pid} on ${os.hostname()} ended without finishing`;
    for (const id of running) expect(r.json.find((x: any) => x.id === id)).toMatchObject({ status: "failed", error: reason });
    expect(r.json.filter((x: any) => x.status === "running")).toEqual([]);
    expect(r.stderr).toContain(`marked failed: run ${running[0].slice(0, 8)}: ${reason}`);
    const db = new Database(dbFile, { readonly: true });
    const pipelineRuns = db.prepare("select status, error from pipeline_runs").all();
    db.close();
    expect(pipelineRuns).toEqual([{ status: "failed", error: reason }]);
  });
});
