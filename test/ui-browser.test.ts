// The dashboard in a real browser: `millrace serve` on a churn project that ran (with a search) and took shifted
// traffic, Debian's Chromium driven by playwright-core through every page — the run ids, the model version, a DAG
// node per task, chart canvases — clicking a run and a table, with a screenshot of each page in a temp folder.
// Then a served project with two versions and an API token: the token asked once, a prediction from the version that
// is not in production with its provenance, and a promote and a rollback from the buttons moving the served version.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServices } from "../src/store/test-helpers/services.js";
import { chromiumMissing as chromiumReason, openChromium } from "./chromium.js";
import { startServe } from "./cli.js";
import { churnProject, postShifted, stop, type UiProject } from "./ui-fixture.js";

if (chromiumReason && requireServices) throw new Error(`${chromiumReason}; CI must run the dashboard's browser test`);
if (chromiumReason) console.warn(`skipping the dashboard browser test: ${chromiumReason}`);

describe.skipIf(chromiumReason !== null)("dashboard in Chromium", () => {
  let p: UiProject;
  let server: { url: string; proc: ChildProcess; example: Record<string, unknown> };
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-ui-shots-"));
  const pageErrors: string[] = [];

  const open = async (route: string, ready: string) => {
    await page.goto(`${server.url}/ui${route}`);
    await page.locator(ready).first().waitFor({ timeout: 20_000 });
  };
  /** A full-page screenshot; the page is scrolled through first, since charts are drawn as they come into view. */
  const shoot = async (name: string) => {
    await page.evaluate(`(async () => { for (let y = 0; y < document.body.scrollHeight; y += 600) { window.scrollTo(0, y); await new Promise((r) => setTimeout(r, 60)); } window.scrollTo(0, 0); })()`);
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    p = churnProject({ pruning: true });
    server = await startServe(p.dir);
    const ui = await fetch(`${server.url}/ui/`);
    if (ui.status !== 200) throw new Error(`millrace serve answers GET /ui/ with ${ui.status}: src/cli/serve-process.ts must mount uiRoutes (src/ui-api)`);
    ({ profile, browser, page } = await openChromium(pageErrors));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server.proc);
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    console.log(`dashboard screenshots: ${shots}`);
  });

  it("overview shows the served model version and the latest pipeline run", async () => {
    const s = p.summaries[0];
    await open("/", "text=Latest pipeline run");
    await expect(page.locator(".big").first().textContent()).resolves.toContain(`churn v${s.model.version}`);
    await expect(page.locator("main").textContent()).resolves.toContain(s.model.reason);
    await shoot("overview");
  });

  it("pipeline draws a node per task of the run, coloured by state", async () => {
    const tasks = Object.keys(p.summaries[0].tasks);
    await open("/pipeline", ".graph-node");
    await page.waitForFunction(`document.querySelectorAll(".graph-node").length === ${tasks.length}`);
    const ids = await page.locator(".graph-node").evaluateAll((els) => els.map((e) => e.getAttribute("data-node-id")));
    expect(ids.sort()).toEqual([...tasks].sort());
    expect(await page.locator(".react-flow__edge").count()).toBeGreaterThanOrEqual(tasks.length - 1);
    await shoot("pipeline");
    // A node is a link: the training task opens its candidate's run, with the full name in its tooltip.
    const gbdt = p.summaries[0].candidates.find((c: any) => c.candidate === "gbdt").runId;
    const node = page.locator('.graph-node[data-node-id="train:gbdt"]');
    expect(await node.getAttribute("title")).toContain("gbdt");
    await node.click();
    await page.waitForURL(`**/ui/runs/${gbdt}`);
  });

  it("runs lists every candidate run, unfolds the search trials, and a click opens a run with its fold chart", async () => {
    const s = p.summaries[0];
    await open("/runs", "a.run-link");
    const listed = await page.locator("a.run-link").evaluateAll((els) => els.map((e) => e.getAttribute("data-run-id")));
    expect(listed.sort()).toEqual(s.candidates.map((c: any) => c.runId).sort());
    // The learner is a param column by default (it differs between the candidates).
    await page.locator("th", { hasText: "model" }).first().waitFor();
    await page.getByRole("button", { name: /6 trials/ }).click();
    await page.waitForFunction(`document.querySelectorAll("tr.child").length === 6`);
    // Sorted by the CV objective, pruned trials come after every finished one and read "pruned", never ranked among them.
    await page.locator("select").filter({ hasText: "start time" }).selectOption("roc_auc");
    await page.waitForFunction(`document.querySelectorAll("tr.child").length === 6`);
    const states = await page.locator("tr.child .badge").evaluateAll((els) => els.map((e) => e.textContent));
    expect(states.filter((x) => x === "pruned").length).toBeGreaterThan(0);
    expect(states.indexOf("pruned")).toBeGreaterThan(states.lastIndexOf("complete"));
    const scores = await page.locator("tr.child").evaluateAll((rows) => rows.filter((r) => r.querySelector(".badge")?.textContent === "complete").map((r) => Number(r.querySelector(".cv")?.textContent)));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // The search's parallel-coordinates plot: one line per trial, pruned ones apart.
    await page.locator('[data-parallel="6"] canvas').waitFor();
    await expect(page.locator("main").textContent()).resolves.toMatch(/6 trials, \d pruned/);
    await shoot("runs");
    // A param condition and a metric condition in the filter: only gbdt's run (and its trials with a small learning rate).
    await page.locator('input[name="filter"]').fill("param.model=gbdt, roc_auc>0.5, param.learning_rate<0.05");
    await page.getByRole("button", { name: "apply" }).click();
    await page.waitForFunction(`[...document.querySelectorAll("a.run-link")].every((a) => /^gbdt/.test(a.textContent))`);
    const lrs = await page.locator("tr.child").evaluateAll((rows) => rows.length);
    const trials = (await (await fetch(`${server.url}/api/runs?parent=${s.candidates.find((c: any) => c.candidate === "gbdt").runId}`)).json()) as any;
    expect(lrs).toBe(trials.runs.filter((t: any) => t.params.learning_rate < 0.05).length);
    await page.locator('input[name="filter"]').fill("param.learning_rate<abc");
    await page.getByRole("button", { name: "apply" }).click();
    await page.locator('[role="alert"]', { hasText: "needs a number" }).waitFor();
    await page.goto(`${server.url}/ui/runs`);
    await page.locator("a.run-link").first().waitFor();
    const gbdt = s.candidates.find((c: any) => c.candidate === "gbdt").runId;
    await page.locator(`a.run-link[data-run-id="${gbdt}"]`).click();
    await page.waitForURL(`**/ui/runs/${gbdt}`);
    await page.locator("canvas").first().waitFor();
    await expect(page.locator("h1").textContent()).resolves.toContain("gbdt");
    await expect(page.locator("main").textContent()).resolves.toContain(gbdt);
    await shoot("run");
    // The artifact browser: the run's files with sizes, each downloadable.
    const listed2 = (await (await fetch(`${server.url}/api/runs/${gbdt}/artifacts`)).json()) as any;
    const bin = listed2.files.find((f: any) => f.name === "model.bin");
    await page.locator('[data-artifact="model.bin"]').scrollIntoViewIfNeeded();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "download model.bin" }).click()]);
    expect(download.suggestedFilename()).toBe("model.bin");
    expect(fs.statSync((await download.path())!).size).toBe(bin.bytes);
  });

  it("compare puts two runs side by side with a chart", async () => {
    const [a, b] = p.summaries[0].candidates.map((c: any) => c.runId);
    await open(`/compare?ids=${a},${b}`, "canvas");
    await expect(page.locator("h1").textContent()).resolves.toBe("Compare 2 runs");
    // The best value of each metric is marked by the metric registry's direction: the smaller log loss, the larger AUC.
    const marked = async (metric: string) => {
      const row = page.locator("table.data tr", { has: page.locator("td", { hasText: new RegExp(`^${metric}$`) }) });
      await row.locator("td.best").waitFor();
      const vals = (await row.locator("td.num").allTextContents()).map(Number);
      return { best: Number(await row.locator("td.best").textContent()), vals };
    };
    const loss = await marked("log_loss");
    expect(loss.best).toBe(Math.min(...loss.vals));
    const auc = await marked("roc_auc");
    expect(auc.best).toBe(Math.max(...auc.vals));
    await shoot("compare");
  });

  it("models shows the version with its stage, signature and input example", async () => {
    const v = p.summaries[0].model.version;
    await open("/models", `a[data-version="${v}"]`);
    await expect(page.locator("main").textContent()).resolves.toContain("Production");
    await page.locator(`a[data-version="${v}"]`).click();
    await page.waitForURL(`**/ui/models/churn/${v}`);
    await page.locator("text=Input example").waitFor();
    await expect(page.locator("pre.code").first().textContent()).resolves.toContain('"contract"');
    await shoot("model");
  });

  it("model version page draws its evaluation on held-out rows, and the confusion matrix follows the threshold slider", async () => {
    const v = p.summaries[0].model.version;
    await open(`/models/churn/${v}`, '[data-evaluation="binary"]');
    const e = (await (await fetch(`${server.url}/api/models/churn/${v}/evaluation`)).json()) as any;
    for (const curve of ["roc", "pr", "calibration"]) {
      await page.locator(`[data-curve="${curve}"]`).scrollIntoViewIfNeeded();
      await page.locator(`[data-curve="${curve}"] canvas`).waitFor();
    }
    await expect(page.locator('[data-curve="roc"]').textContent()).resolves.toContain(`AUC ${e.binary.roc.auc.toFixed(4)}`);
    await page.locator("[data-importance] canvas").waitFor();
    expect(await page.locator("[data-importance]").getAttribute("data-importance")).toBe(e.importance.features.map((f: any) => f.feature).join(","));
    await page.locator("[data-shap] canvas").waitFor();
    expect(await page.locator("[data-shap]").getAttribute("data-shap")).toBe(e.shap.features.map((f: any) => f.feature).join(","));
    const cells = async () => Object.fromEntries(await Promise.all(["tp", "fp", "fn", "tn"].map(async (k) => [k, Number((await page.locator(`[data-cell="${k}"]`).textContent())!.replace(/,/g, ""))])));
    const at = (i: number) => ({ tp: e.binary.byThreshold.tp[i], fp: e.binary.byThreshold.fp[i], fn: e.binary.byThreshold.fn[i], tn: e.binary.byThreshold.tn[i] });
    expect(await cells()).toEqual(at(50));
    await page.locator('input[name="threshold"]').fill("80");
    await page.locator('[data-threshold="0.80"]').waitFor();
    expect(await cells()).toEqual(at(80));
    expect(at(80).tp + at(80).fp).toBeLessThan(at(50).tp + at(50).fp); // a higher threshold flags fewer rows
    await shoot("model-evaluation");
  });

  it("tables lists the lake, and a click opens a table's profile with charts", async () => {
    await open("/tables", 'a[data-table="silver.customers"]');
    const lake = (await (await fetch(`${server.url}/api/tables`)).json()) as { table: string }[];
    expect(lake.length).toBeGreaterThanOrEqual(p.summaries[0].tables.length); // quarantine tables too
    expect(await page.locator("a[data-table]").evaluateAll((els) => els.map((e) => e.getAttribute("data-table")))).toEqual(lake.map((t) => t.table));
    await page.locator('a[data-table="silver.customers"]').click();
    await page.waitForURL("**/ui/tables/silver.customers");
    await page.locator('[data-column="tenure"] canvas').waitFor();
    await shoot("table");
    await page.getByRole("tab", { name: "history" }).click();
    await page.locator("text=overwrite").first().waitFor();
  });

  it("lineage draws the model back to its source files", async () => {
    await open("/lineage", ".graph-node");
    const ids = await page.locator(".graph-node").evaluateAll((els) => els.map((e) => e.getAttribute("data-node-id") ?? ""));
    expect(ids).toContain(`model:churn@${p.summaries[0].model.version}`);
    expect(ids.filter((i) => i.startsWith("file:")).length).toBe(2);
    await shoot("lineage");
    // Clicking a table version's node opens that version of the table.
    const table = ids.find((i) => i.startsWith("table:silver.customers@"))!;
    await page.locator(`.graph-node[data-node-id="${table}"]`).click();
    await page.waitForURL(`**/ui/tables/silver.customers?version=${table.slice(table.indexOf("@") + 1)}*`);
  });

  it("drift shows per-column verdicts and charts once traffic was logged", async () => {
    await open("/drift", "text=no logged predictions");
    await expect(page.locator("main").textContent()).resolves.toContain("millrace serve");
    await postShifted(server.url, server.example, 240);
    // The server's prediction log flushes every 250 ms; the API reads what is on disk.
    for (let i = 0; i < 40 && (await fetch(`${server.url}/api/drift`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 250));
    await open("/drift", ".verdict");
    await expect(page.locator(".verdict").textContent()).resolves.toMatch(/of \d+ columns drifted/);
    await page.waitForFunction(`document.querySelectorAll("canvas").length >= 2`);
    await page.locator("#distribution").scrollIntoViewIfNeeded(); // charts are drawn as they scroll into view
    await page.waitForFunction(`document.querySelectorAll("canvas").length >= 3`);
    await expect(page.locator("main").textContent()).resolves.toContain("tenure");
    await shoot("drift");
    // Under monitor.min_rows the page says there is no verdict yet instead of judging 40 rows.
    await open("/drift?limit=40", ".verdict.warn");
    await expect(page.locator(".verdict").textContent()).resolves.toMatch(/No verdict yet.*fewer than monitor\.min_rows = 100/);
    // ... and colours nothing as drift (or as stable) below it: every column reads "no verdict".
    await page.locator("table.data .badge").first().waitFor();
    expect(await page.locator("main .badge.bad, main .badge.ok").count()).toBe(0);
    expect(await page.locator("main .badge", { hasText: "no verdict" }).count()).toBeGreaterThan(0);
  });

  it("monitoring shows the live server's request rate, latency, per-version counts from its /metrics, log volume and drift", async () => {
    const v = p.summaries[0].model.version;
    await open("/monitoring", `[data-version-health="${v}"]`);
    // The records the page shows are the server's own counter.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const counted = metrics.split("\n").filter((l) => l.startsWith("millrace_predictions_total{") && l.includes(`version="${v}"`)).reduce((s, l) => s + Number(l.split(" ").pop()), 0);
    expect(counted).toBe(240);
    const row = page.locator("tr", { has: page.locator(`[data-version-health="${v}"]`) });
    await expect(row.locator("[data-records]").textContent()).resolves.toBe("240");
    expect(Number(await row.locator("[data-log-bytes]").getAttribute("data-log-bytes"))).toBeGreaterThan(0);
    await row.locator('[data-drift="drift"]').waitFor(); // the shifted traffic drifted
    // Traffic while the page polls: the rate of the latest window rises above zero and the latency tiles fill in.
    const rps = page.locator('[data-tile="rps"] .tile-value');
    await postShifted(server.url, server.example, 160);
    await page.waitForFunction(`Number(document.querySelector('[data-tile="rps"] .tile-value').textContent) > 0`, undefined, { timeout: 15_000 }).catch(async () => {
      // The POSTs may land inside one window the page already read: send more and wait for the next.
      await postShifted(server.url, server.example, 160);
      await page.waitForFunction(`Number(document.querySelector('[data-tile="rps"] .tile-value').textContent) > 0`, undefined, { timeout: 15_000 });
    });
    expect(Number(await rps.textContent())).toBeGreaterThan(0);
    await expect(page.locator('[data-tile="p99"] .tile-value').textContent()).resolves.toMatch(/ms$/);
    await page.locator(".card canvas").first().waitFor();
    await shoot("monitoring");
  });

  it("a served version's monitoring page draws drift per column and prediction drift over windows of its traffic", async () => {
    const v = p.summaries[0].model.version;
    await open("/monitoring", `[data-monitor-version="${v}"]`);
    await page.locator(`[data-monitor-version="${v}"]`).click();
    await page.waitForURL(`**/ui/monitoring/churn/${v}`);
    await page.locator("[data-drift-history]").waitFor({ timeout: 30_000 });
    const h = (await (await fetch(`${server.url}/api/monitoring/churn/${v}/drift-history`)).json()) as any;
    // 400+ shifted rows, monitor.min_rows 100: several windows, every logged row in one of them, oldest first.
    expect(h.windows.length).toBeGreaterThanOrEqual(3);
    expect(h.windows.reduce((n: number, w: any) => n + w.rows, 0)).toBe(h.rowsRead);
    for (let i = 1; i < h.windows.length; i++) expect(h.windows[i].from >= h.windows[i - 1].to).toBe(true);
    expect(await page.locator("[data-drift-heat]").getAttribute("data-drift-heat")).toBe(`${h.columns.length}x${h.windows.length}`);
    expect(await page.locator('[data-drift-cell="drift"]').count()).toBeGreaterThan(0); // tenure and charges were shifted
    // The latest window is the drift page's window of the same rows: the same PSI per column.
    const last = h.windows[h.windows.length - 1];
    const drift = (await (await fetch(`${server.url}/api/drift?version=${v}&limit=${last.rows}`)).json()) as any;
    for (const c of drift.report.columns) expect(last.columns[c.column].psi).toBeCloseTo(c.psi, 9);
    // Prediction drift: the model's probability per window against its output on the held-out rows.
    await page.locator('[data-prediction-drift="probability"]').scrollIntoViewIfNeeded();
    await page.waitForFunction(`document.querySelectorAll("main canvas").length >= 3`);
    expect(h.prediction.reference.reduce((s: number, x: number) => s + x, 0)).toBeCloseTo(1, 9);
    for (const w of h.windows) {
      expect(w.prediction.shares.reduce((s: number, x: number) => s + x, 0)).toBeCloseTo(1, 9);
      expect(w.prediction.mean).toBeGreaterThan(0);
      expect(w.prediction.psi).toBeGreaterThanOrEqual(0);
    }
    await shoot("version-monitoring");
  });

  it("at 390 px wide (a phone) no page scrolls sideways", async () => {
    const s = p.summaries[0];
    const gbdt = s.candidates.find((c: any) => c.candidate === "gbdt").runId;
    const [a, b] = s.candidates.map((c: any) => c.runId);
    const pages: [string, string][] = [
      ["/", "text=Latest pipeline run"],
      ["/pipeline", ".graph-node"],
      ["/runs", "a.run-link"],
      [`/runs/${gbdt}`, "[data-parallel]"],
      [`/compare?ids=${a},${b}`, "canvas"],
      ["/models", "a[data-version]"],
      [`/models/churn/${s.model.version}`, '[data-evaluation="binary"]'],
      ["/models/churn/predict", "form"],
      ["/tables", "a[data-table]"],
      ["/tables/silver.customers", "[data-column]"],
      ["/lineage", ".graph-node"],
      ["/drift", "main h1, main .empty"],
      ["/monitoring", "[data-version-health]"],
      [`/monitoring/churn/${s.model.version}`, "[data-drift-history]"],
      [`/runs/${gbdt}`, "[data-note]"],
    ];
    await page.setViewportSize({ width: 390, height: 844 });
    const wide: string[] = [];
    try {
      for (const [route, ready] of pages) {
        await open(route, ready);
        await page.waitForTimeout(150);
        const [scroll, inner] = (await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")) as number[];
        if (scroll > inner) {
          // Name the widest elements that reach past the viewport (the outermost of each), for the failure message.
          const culprits = await page.evaluate(`[...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1).slice(0, 4).map((e) => e.tagName.toLowerCase() + "." + [...e.classList].join(".") + " " + Math.round(e.getBoundingClientRect().right)).join(", ")`);
          wide.push(`${route}: ${scroll} > ${inner} (${culprits})`);
        }
        await page.screenshot({ path: path.join(shots, `phone${route.replace(/[/?=,]+/g, "-")}.png`), fullPage: true });
      }
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
    expect(wide).toEqual([]);
  });

  it("loaded every page without a script error", () => {
    expect(pageErrors).toEqual([]);
  });
});

describe.skipIf(chromiumReason !== null)("dashboard actions in Chromium: predict, promote, roll back (with an API token)", () => {
  const TOKEN = "ui-browser-test-token";
  let p: UiProject;
  let server: { url: string; proc: ChildProcess; example: Record<string, unknown> };
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let production: number;
  let other: { version: number; runId: string };
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-ui-actions-"));
  const pageErrors: string[] = [];
  const auth = { authorization: `Bearer ${TOKEN}` };
  /** The version the server answers /predict with, from its public GET /models. */
  const served = async (): Promise<number> => ((await (await fetch(`${server.url}/models`)).json()) as any).models.find((m: any) => m.role === "primary").provenance.version;
  const shoot = async (name: string) => {
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    p = churnProject({ secondBatch: true, roundsCandidate: true });
    server = await startServe(p.dir, { MILLRACE_API_TOKEN: TOKEN });
    const models = (await (await fetch(`${server.url}/api/models`, { headers: auth })).json()) as any;
    const versions = models.models[0].versions as any[];
    production = versions.find((v) => v.aliases.includes("production")).version;
    const o = versions.find((v) => !v.aliases.includes("production"));
    other = { version: o.version, runId: o.runId };
    ({ profile, browser, page } = await openChromium(pageErrors));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server.proc);
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    console.log(`dashboard action screenshots: ${shots}`);
  });

  it("asks for the token once, then predicts with the version that is not in production and shows its provenance", async () => {
    await page.goto(`${server.url}/ui/models`);
    await page.locator('input[type="password"]').fill(TOKEN);
    await page.getByRole("button", { name: "open" }).click();
    await page.getByRole("link", { name: "Predict", exact: true }).click();
    await page.waitForURL("**/ui/models/churn/predict");
    // It starts on the served alias; the picker switches to the other version.
    await page.locator(".picked").filter({ hasText: `v${production}` }).waitFor();
    await page.locator('select[name="version"]').selectOption(`v:${other.version}`);
    await page.locator(".picked").filter({ hasText: `v${other.version}` }).waitFor();
    // The form is generated from the signature and prefilled from the input example.
    await expect(page.locator('select[name="contract"]').inputValue()).resolves.not.toBe("");
    await expect(page.locator('input[name="tenure"]').inputValue()).resolves.toMatch(/^\d/);
    await page.getByRole("button", { name: `Predict with v${other.version}` }).click();
    const shown = page.locator("[data-provenance-version]");
    await shown.waitFor();
    expect(await shown.getAttribute("data-provenance-version")).toBe(String(other.version));
    const answer = (await page.locator(".answer").textContent()) ?? "";
    expect(answer).toContain(other.runId);
    expect(answer).toMatch(/\d+\.\d%/); // the probabilities
    await expect(page.locator("pre.curl").textContent()).resolves.toContain(`/api/models/churn/${other.version}/predict`);
    await shoot("predict");
    // A value outside the training range is scored and flagged on its field.
    await page.locator('input[name="tenure"]').fill("9999");
    await page.getByRole("button", { name: `Predict with v${other.version}` }).click();
    await page.locator('.field.flagged[data-field="tenure"]').waitFor();
  });

  it("scores an uploaded CSV with the picked version and offers the scored CSV for download", async () => {
    const example = server.example;
    const cols = Object.keys(example);
    const q = (v: unknown) => (typeof v === "string" ? `"${v.replace(/"/g, '""')}"` : v === null ? "" : String(v));
    const csv = [cols.join(","), ...[1, 12, 40].map((t) => cols.map((c) => q(c === "tenure" ? t : example[c])).join(","))].join("\n") + "\n";
    await page.locator('input[name="batch"]').setInputFiles({ name: "three.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    const link = page.locator("a[download]");
    await link.waitFor();
    expect(await link.getAttribute("download")).toBe(`three-scored-churn-v${other.version}.csv`);
    const scored = (await page.evaluate(`fetch(document.querySelector("a[download]").href).then((r) => r.text())`)) as string;
    const lines = scored.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain("prediction,probability_No,probability_Yes,model,version");
    for (const l of lines.slice(1)) expect(l.endsWith(`,churn,${other.version}`)).toBe(true);
    await shoot("predict-batch");
  });

  it("shows the gate's decision, then promotes the version and rolls it back from the buttons, moving the served version", async () => {
    expect(await served()).toBe(production);
    await page.goto(`${server.url}/ui/models/churn/${other.version}`);
    await page.locator("[data-gate]").waitFor();
    const gate = p.summaries.find((s) => s.model.version === other.version).model;
    await expect(page.locator("[data-gate]").textContent()).resolves.toContain(gate.reason.slice(0, 40));
    const promote = page.locator('form[aria-label="promote"]');
    await promote.locator('input[name="reason"]').fill("browser test: promote by hand");
    await promote.getByRole("button", { name: `Promote v${other.version} to @production` }).click();
    await promote.locator('[role="status"]').filter({ hasText: `to v${other.version}` }).waitFor();
    expect(await served()).toBe(other.version);
    // The audit and the sidebar update at once.
    await page.locator("table.data").filter({ hasText: "browser test: promote by hand" }).waitFor();
    await page.locator(".served").filter({ hasText: `v${other.version}` }).waitFor();
    await shoot("promoted");
    const rollback = page.locator('form[aria-label="roll back @production"]');
    await rollback.locator('input[name="reason"]').fill("browser test: roll back");
    await rollback.getByRole("button", { name: "Roll back @production" }).click();
    // The version no longer holds @production, so its rollback form goes; the audit shows the move.
    await page.locator("table.data").filter({ hasText: "browser test: roll back" }).waitFor();
    expect(await served()).toBe(production);
    await page.locator(".served").filter({ hasText: `v${production}` }).waitFor();
    await page.locator("table.data").filter({ hasText: "browser test: roll back" }).waitFor();
    await shoot("rolled-back");
    const audit = (await (await fetch(`${server.url}/api/models/churn/transitions`, { headers: auth })).json()) as any[];
    expect(audit.slice(0, 2).map((t) => [t.fromVersion, t.toVersion, t.reason])).toEqual([
      [other.version, production, "browser test: roll back"],
      [production, other.version, "browser test: promote by hand"],
    ]);
  });

  it("archives the version from its page (it can no longer take an alias) and restores it, both audited", async () => {
    const detail = async () => (await (await fetch(`${server.url}/api/models/churn/${other.version}`, { headers: auth })).json()) as any;
    await page.goto(`${server.url}/ui/models/churn/${other.version}`);
    const archive = page.locator('form[aria-label="archive"]');
    await archive.locator('input[name="reason"]').fill("browser test: retire it");
    await archive.getByRole("button", { name: `Archive v${other.version}` }).click();
    await page.locator('[data-archived="yes"]').waitFor();
    expect((await detail()).version.archived).toBe(true);
    // Archived: no promote form, a restore form instead, and the audit line.
    expect(await page.locator('form[aria-label="promote"]').count()).toBe(0);
    await page.locator(".archive-history", { hasText: "browser test: retire it" }).waitFor();
    await shoot("archived");
    const restore = page.locator('form[aria-label="restore"]');
    await restore.locator('input[name="reason"]').fill("browser test: bring it back");
    await restore.getByRole("button", { name: `Restore v${other.version}` }).click();
    await page.locator('[data-archived="no"]').waitFor();
    await page.locator('form[aria-label="promote"]').waitFor();
    const d = await detail();
    expect(d.version.archived ?? false).toBe(false);
    expect(d.archive.slice(0, 2).map((t: any) => [t.archived, t.reason])).toEqual([
      [false, "browser test: bring it back"],
      [true, "browser test: retire it"],
    ]);
  });

  it("draws a gbdt run's learning curve: the final fit's loss at every boosting round, apart from the CV folds", async () => {
    const runId = p.summaries[0].candidates.find((c: any) => c.candidate === "gbdt_rounds").runId;
    const detail = (await (await fetch(`${server.url}/api/runs/${runId}`, { headers: auth })).json()) as any;
    const curve = detail.curves.train_binary_logloss as { step: number; value: number }[];
    expect(curve.map((q) => q.step)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(curve[24].value).toBeLessThan(curve[0].value);
    expect(Object.keys(detail.series).length).toBeGreaterThan(0);
    expect(Object.keys(detail.series).every((k) => k.startsWith("cv_"))).toBe(true);
    await page.goto(`${server.url}/ui/runs/${runId}`);
    await page.locator("[data-learning-curve]").scrollIntoViewIfNeeded();
    await page.locator("[data-learning-curve] canvas").waitFor();
    expect((await page.locator("[data-learning-curve]").getAttribute("data-learning-curve"))!.split(",").sort()).toEqual(Object.keys(detail.curves).sort());
    await shoot("run-learning-curve");
  });

  it("edits a run's note and tags with the token; they stay after a reload, and the edits are audited", async () => {
    await page.goto(`${server.url}/ui/runs/${other.runId}`);
    const note = "browser test: the March batch's run, kept for the Q1 review";
    await page.getByRole("button", { name: /add note|edit note/ }).click();
    await page.locator('textarea[name="notes"]').fill(note);
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".note-text", { hasText: note }).waitFor();
    await page.locator('input[name="tag-key"]').fill("review");
    await page.locator('input[name="tag-value"]').fill("q1");
    await page.getByRole("button", { name: "add tag" }).click();
    await page.locator('[data-tag="review"]', { hasText: "review=q1" }).waitFor();
    // Pipeline tags cannot be removed from the page; the user's can.
    expect(await page.locator('[data-tag="candidate"] .chip-x').count()).toBe(0);
    await page.reload();
    await page.locator(".note-text", { hasText: note }).waitFor();
    await page.locator('[data-tag="review"]', { hasText: "review=q1" }).waitFor();
    await page.locator(".edit-history summary").click();
    await page.locator('.edit-history [data-edit="notes"]', { hasText: note.slice(0, 40) }).waitFor();
    await shoot("run-annotated");
    await page.getByRole("button", { name: "remove tag review" }).click();
    await page.locator('[data-tag="review"]').waitFor({ state: "detached" });
    const stored = (await (await fetch(`${server.url}/api/runs/${other.runId}`, { headers: auth })).json()) as any;
    expect([stored.run.notes, stored.run.tags.review]).toEqual([note, undefined]);
    const edits = (await (await fetch(`${server.url}/api/runs/${other.runId}/annotations`, { headers: auth })).json()) as any[];
    expect(edits.map((e) => [e.field, e.before, e.after])).toEqual([
      ["tag:review", "q1", null],
      ["tag:review", null, "q1"],
      ["notes", null, note],
    ]);
    // The version's description, on its page.
    await page.goto(`${server.url}/ui/models/churn/${other.version}`);
    await page.getByRole("button", { name: /add description|edit description/ }).click();
    await page.locator('textarea[name="description"]').fill("challenger trained on the March batch");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".note-text", { hasText: "challenger trained on the March batch" }).waitFor();
  });

  it("loaded every page without a script error", () => {
    expect(pageErrors).toEqual([]);
  });
});
