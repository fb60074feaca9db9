// Drives the built `millrace` CLI from the end-to-end tests: run a command, parse its --json, copy an example.
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

export const repoRoot = path.resolve(import.meta.dirname, "..");
export const cli = path.join(repoRoot, "dist/cli/main.js");

export interface CliResult {
  code: number;
  json: any;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for matching messages wherever they were printed. */
  out: string;
}

function result(code: number, stdout: string, stderr: string): CliResult {
  let json: any = null;
  try {
    json = JSON.parse(stdout);
  } catch {
    /* not JSON */
  }
  return { code, json, stdout, stderr, out: stdout + stderr };
}

/** Runs the CLI to completion (blocking). Use millraceAsync when this process serves something the CLI calls. */
export function millrace(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 180_000, env: { ...process.env, NO_COLOR: "1", ...env } });
  return result(r.status ?? -1, r.stdout, r.stderr);
}

export async function millraceAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return result(0, stdout, stderr);
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return result(typeof err.code === "number" ? err.code : 1, err.stdout ?? "", err.stderr ?? String(e));
  }
}

/** A fresh copy of examples/<name> in a temp folder, without any state of earlier runs. */
export function copyExample(name = "churn"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `millrace-${name}-`));
  fs.cpSync(path.join(repoRoot, "examples", name), dir, { recursive: true, filter: (src) => !src.includes(".millrace") });
  return dir;
}

/** Starts `millrace serve --port 0 --json` and resolves with its address once it is listening. */
export async function startServe(dir: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<{ url: string; proc: ChildProcess; example: Record<string, unknown>; logs: () => string }> {
  const proc = spawn(process.execPath, [cli, "serve", dir, "--port", "0", "--json", ...extra], { env: { ...process.env, NO_COLOR: "1", ...env } });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}${err}`)), 30_000);
    proc.stdout!.on("data", (d) => {
      out += d;
      try {
        const j = JSON.parse(out);
        clearTimeout(timer);
        resolve({ url: j.url, proc, example: j.example, logs: () => err });
      } catch {
        /* wait for the whole JSON */
      }
    });
    proc.on("exit", (code) => reject(new Error(`serve exited ${code}: ${out}${err}`)));
  });
}
