// Dashboard page loads: the churn example (3-fold CV, a 3-trial search, 240 logged predictions) served by
// `millrace serve`, each page opened in Debian's Chromium (playwright-core) and timed from navigation to its first
// meaningful content (the element that shows the page's data, not a spinner). Cold = a fresh browser profile (the
// bundle is fetched); warm = the same tab again (assets cached, data fetched again).
// Peer: MLflow's UI cannot be installed here (no PyPI, no Debian package). The same-run reference is the page's own
// JSON API call made directly from node: page ÷ API says what the browser, the bundle and drawing add to the data.
//   npm run bench:ui [-- --repeat 5]
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist/cli/main.js");
const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
const repeat = Number(arg("--repeat", "5"));
const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// The same tuning as test/ui-fixture.ts (3-fold CV, a 3-trial search): a .mjs bench cannot import the TS fixture.
function project() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-ui-"));
  fs.cpSync(path.join(root, "examples/churn"), dir, { recursive: true, filter: (src) => !src.includes(".millrace") });
  const yaml = path.join(dir, "millrace.yaml");
  const text = fs.readFileSync(yaml, "utf8");
  const tuned = text
    .replace("cv_folds: 5", "cv_folds: 3")
    .replace(
      "      params: { n_estimators: 300, learning_rate: 0.03, max_depth: 4, min_child_weight: 5 }",
      "      params: { n_estimators: 60, max_depth: 3, min_child_weight: 5 }\n      search:\n        method: random\n        trials: 3\n        prune: false\n        space:\n          learning_rate: { type: float, low: 0.05, high: 0.3, log: true }",
    );
  if (tuned === text) throw new Error("examples/churn/millrace.yaml changed: update bench/ui.mjs");
  fs.writeFileSync(yaml, tuned);
  const r = spawnSync(process.execPath, [cli, "run", dir, "--json"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (r.status !== 0) throw new Error(`millrace run failed: ${r.stdout.slice(-1000)}${r.stderr.slice(-1000)}`);
  return { dir, summary: JSON.parse(r.stdout) };
}

function serve(dir) {
  const proc = spawn(process.execPath, [cli, "serve", dir, "--port", "0", "--json"], { env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  return new Promise((resolve, reject) => {
    proc.stdout.on("data", (d) => {
      out += d;
      try {
        const j = JSON.parse(out);
        resolve({ url: j.url, example: j.example, proc });
      } catch {
        /* the whole JSON has not arrived */
      }
    });
    proc.on("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

async function traffic(url, example) {
  const records = Array.from({ length: 240 }, (_, i) => ({ ...example, tenure: 40 + (i % 30), monthly_charges: 90 + (i % 25) }));
  for (let i = 0; i < records.length; i += 80) {
    const res = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: records.slice(i, i + 80) }) });
    if (res.status !== 200) throw new Error(`/predict answered ${res.status}`);
  }
  await new Promise((r) => setTimeout(r, 1000)); // the prediction log flushes every 250 ms
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { dir, summary } = project();
const server = await serve(dir);
await traffic(server.url, server.example);
const v = summary.model.version;
const gbdt = summary.candidates.find((c) => c.candidate === "gbdt").runId;
const [a, b] = summary.candidates.map((c) => c.runId);
// [page, first meaningful content, the API call whose data it shows]
const pages = [
  ["/", ".big", "/api/overview"],
  ["/pipeline", ".graph-node", "/api/pipeline-runs/latest"],
  ["/runs", "a.run-link", "/api/runs?order=desc&limit=200"],
  [`/runs/${gbdt}`, "table.data td", `/api/runs/${gbdt}`],
  [`/compare?ids=${a},${b}`, "table.data td", `/api/compare?ids=${a},${b}`],
  ["/models", "a[data-version]", "/api/models"],
  [`/models/churn/${v}`, '[data-evaluation="binary"]', `/api/models/churn/${v}/evaluation`],
  ["/models/churn/predict", ".picked", "/api/models"],
  ["/tables", "a[data-table]", "/api/tables"],
  ["/tables/silver.customers", "[data-column]", "/api/tables/silver.customers/profile"],
  ["/lineage", ".graph-node", "/api/lineage"],
  ["/drift", ".verdict", "/api/drift"],
  ["/monitoring", "[data-version-health]", "/api/monitoring"],
  [`/monitoring/churn/${v}`, "[data-drift-history]", `/api/monitoring/churn/${v}/drift-history`],
];

// Warm the server once (the first evaluation and drift read the lake, and are kept): timed loads are steady state.
for (const [, , api] of pages) await (await fetch(server.url + api)).text();

async function apiMs(api) {
  const ts = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await (await fetch(server.url + api)).text();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** CPU seconds (user + system) the server process has used, from /proc (Linux): the server's cost of a page's loads. */
function serverCpuMs() {
  try {
    const f = fs.readFileSync(`/proc/${server.proc.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function load(page, route, ready) {
  const t0 = performance.now();
  await page.goto(`${server.url}/ui${route}`, { waitUntil: "commit" });
  await page.locator(ready).first().waitFor({ timeout: 30_000 });
  return performance.now() - t0;
}

const rows = [];
try {
  for (const [route, ready, api] of pages) {
    const cold = [];
    const warm = [];
    const cpu0 = serverCpuMs();
    for (let i = 0; i < repeat; i++) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-bench-chromium-"));
      const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 }, args: ARGS });
      try {
        const page = await ctx.newPage();
        cold.push(await load(page, route, ready));
        warm.push(await load(page, route, ready));
      } finally {
        await ctx.close();
        fs.rmSync(profile, { recursive: true, force: true });
      }
    }
    // Per page load (cold and warm both count): the serving process's CPU; the browser's is not counted.
    const serverCpu = (serverCpuMs() - cpu0) / (2 * repeat);
    const row = { route, cold: median(cold), warm: median(warm), api: await apiMs(api), apiPath: api, serverCpu };
    rows.push(row);
    console.error(`${route}: cold ${row.cold.toFixed(0)} ms, warm ${row.warm.toFixed(0)} ms, API ${row.api.toFixed(1)} ms`);
  }
} finally {
  server.proc.kill("SIGTERM");
}

const table = [
  "| page | first meaningful content | cold load, ms | warm load, ms | its API call alone, ms | warm ÷ API | server CPU per load, ms |",
  "|---|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const p = pages.find((x) => x[0] === r.route);
    const shown = r.route.replace(`${a},${b}`, "<2 runs>").replace(gbdt, "<gbdt run>");
    return `| \`${shown}\` | \`${p[1]}\` | ${r.cold.toFixed(0)} | ${r.warm.toFixed(0)} | ${r.api.toFixed(1)} | ${(r.warm / r.api).toFixed(1)}× | ${r.serverCpu.toFixed(0)} |`;
  }),
].join("\n");
console.log(table);
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (shared with other engineers' jobs)`;
fs.appendFileSync(
  path.resolve(import.meta.dirname, "RESULTS.md"),
  `\n## Dashboard page loads — ${new Date().toISOString().slice(0, 10)}\n\nCommand: \`npm run bench:ui\` (bench/ui.mjs). Machine: ${machine}. Chromium ${chromium.name()} (Debian ${CHROMIUM}), headless, 1400×900; medians of ${repeat}. Churn example, 3-trial search, 240 logged predictions; ms from navigation to the page's first meaningful content. Cold: fresh profile (bundle fetched); warm: same tab again (assets cached, data fetched). Peer: MLflow's UI cannot be installed here (no PyPI, no Debian package); the same-run reference is each page's API call from node. Server CPU per load: user + system time of the serving process over the page's 2 × ${repeat} loads (/proc), divided by the loads.\n\n${table}\n`,
);
fs.rmSync(dir, { recursive: true, force: true });
