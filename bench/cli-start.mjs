// CLI start-up of the light commands (`--version`, `models`, `runs`, `tables`) against `node -e 0`: median wall and CPU
// of N runs, the commands alternated round by round so a change in the machine's load hits each of them alike.
//   npm run bench:cli                      (builds, copies examples/churn to a temporary folder and runs it once)
//   node bench/cli-start.mjs --runs 15 --project DIR   (a project already run; dist/ already built)
//   node bench/cli-start.mjs --against /tmp/old/dist/cli/main.js   (adds that build's rows, alternated with ours: A/B)
// CPU is the child's own user+system time (process.cpuUsage() at exit, read by a one-line preload through fd 3), so it
// stays meaningful on a loaded machine where wall time is not. Goal (issue 10): each light command < 0.25 s wall, quiet.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const main = path.join(root, "dist/cli/main.js");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg("--runs", "9"));
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${arg("--runs")}: give a whole number ≥ 1`);
if (!fs.existsSync(main)) throw new Error(`no ${path.relative(root, main)}: build first (npm run build)`);
const against = arg("--against");
if (against !== undefined && !fs.existsSync(against)) throw new Error(`--against ${against}: no such file (give another build's dist/cli/main.js)`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-cli-start-"));
const preload = path.join(work, "cpu.cjs");
fs.writeFileSync(preload, `process.on("exit", () => { const c = process.cpuUsage(); try { require("node:fs").writeSync(3, (c.user + c.system) + "\\n"); } catch {} });\n`);

let project = arg("--project");
if (project === undefined) {
  project = path.join(work, "churn");
  fs.cpSync(path.join(root, "examples/churn"), project, { recursive: true });
  process.stdout.write(`running examples/churn once in ${project} ... `);
  const r = spawnSync(process.execPath, [main, "run", project, "-q"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`millrace run failed (${r.status}): ${r.stderr || r.stdout}`);
  console.log("done");
}

/** One spawn: wall ms (spawn to exit) and the child's CPU ms; fails loudly on a non-zero exit. */
function once(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["-r", preload, ...args], { cwd: project, stdio: ["ignore", "pipe", "pipe", "pipe"], encoding: "utf8" });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(r.output[3]) / 1000 };
}

const LIGHT = ["--version", "models", "runs", "tables"];
const commands = [
  ["node -e 0", ["-e", "0"]],
  ...LIGHT.map((c) => [`millrace ${c}`, [main, c]]),
  ...(against ? LIGHT.map((c) => [`millrace ${c} (--against)`, [against, c]]) : []),
];
for (const [, args] of commands) once(args); // warm the page cache (and the project's cached config)
const loadBefore = os.loadavg();
const samples = new Map(commands.map(([name]) => [name, { wall: [], cpu: [] }]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of commands) {
    const s = once(args);
    samples.get(name).wall.push(s.wall);
    samples.get(name).cpu.push(s.cpu);
  }
}
const loadAfter = os.loadavg();
fs.rmSync(work, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = samples.get("node -e 0");
const [baseWall, baseCpu] = [median(base.wall), median(base.cpu)];
const fmtLoad = (l) => l.map((x) => x.toFixed(2)).join(" ");
console.log(`\nCLI start, median of ${runs} alternated runs; node ${process.version}, ${os.cpus().length} cores, load ${fmtLoad(loadBefore)} → ${fmtLoad(loadAfter)}`);
console.log("| command | wall ms | CPU ms | wall / node -e 0 | CPU / node -e 0 | goal < 250 ms wall |");
console.log("|---|---:|---:|---:|---:|---|");
for (const [name] of commands) {
  const { wall, cpu } = samples.get(name);
  const [w, c] = [median(wall), median(cpu)];
  const goal = name.startsWith("millrace") ? (w < 250 ? "met" : "missed") : "";
  console.log(`| ${name} | ${w.toFixed(0)} | ${c.toFixed(0)} | ${(w / baseWall).toFixed(2)}× | ${(c / baseCpu).toFixed(2)}× | ${goal} |`);
}
if (against) {
  const ratio = (c, k) => median(samples.get(`millrace ${c}`)[k]) / median(samples.get(`millrace ${c} (--against)`)[k]);
  console.log(`\nours / --against: ${LIGHT.map((c) => `${c} CPU ${ratio(c, "cpu").toFixed(2)}×, wall ${ratio(c, "wall").toFixed(2)}×`).join("; ")}`);
}
