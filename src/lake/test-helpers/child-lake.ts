// Test helper: compiles the lake to JavaScript once, so tests can run it in real child processes and kill them.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const repo = path.resolve(import.meta.dirname, "../../..");

/** Compiles src/lake (and what it imports) into a temp folder; returns the path of the compiled lake.js. */
export function compileLake(): { dir: string; lakeJs: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-child-"));
  const tsc = path.join(repo, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [
    tsc, "--outDir", path.join(dir, "out"), "--rootDir", path.join(repo, "src"), "--module", "nodenext", "--moduleResolution", "nodenext",
    "--target", "es2022", "--skipLibCheck", "--types", "node", "--strict", "--ignoreConfig", path.join(repo, "src", "lake", "lake.ts"),
  ], { cwd: repo, stdio: "pipe" });
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, lakeJs: path.join(dir, "out", "lake", "lake.js") };
}

/** Runs an ES module script (text) in a child node process; `args` are passed as JSON in argv[2]. */
export function runChild(dir: string, script: string, args: unknown): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string }> } {
  const file = path.join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(file, script);
  const child = spawn(process.execPath, [file, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, out }));
  });
  return { child, done };
}
