// The pipeline page in Debian's Chromium: click "Trigger", land on the new run, see its tasks go running →
// succeeded live (polled from the run's task logs), and read a task's log on the page; then the run's Gantt, the grid
// of runs × tasks with a cell opening that task's log, and the page at 390 px without sideways scrolling.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServices } from "../src/store/test-helpers/services.js";
import { chromiumMissing as chromiumReason, openChromium } from "./chromium.js";
import { copyExample, millrace, startServe } from "./cli.js";
import { stop } from "./ui-fixture.js";

const TOKEN = "pipeline-browser-token";
if (chromiumReason && requireServices) throw new Error(`${chromiumReason}; CI must run the pipeline page's browser test`);

describe.skipIf(chromiumReason !== null)("pipeline page in Chromium", { timeout: 600_000 }, () => {
  let dir: string;
  let server: { url: string; proc: ChildProcess };
  let browser: BrowserContext;
  let page: Page;
  let profile: string | undefined;
  const errors: string[] = [];
  let pauseDir: string;
  let release: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    dir = copyExample();
    fs.appendFileSync(path.join(dir, "millrace.yaml"), "\npipelines:\n  data: { tasks: [ingest, transform] }\n");
    // The data pipeline takes ~0.5 s: too quick to be seen running by a page that polls. Its runs stop after each
    // ingest's commit until the test lets them go (failpoint.ts), so "running" is on screen for as long as it looks.
    pauseDir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-pause-"));
    server = await startServe(dir, { MILLRACE_API_TOKEN: TOKEN, MILLRACE_FAILPOINT: "ingest:after-commit", MILLRACE_FAILPOINT_PAUSE: pauseDir });
    ({ profile, browser, page } = await openChromium(errors));
  }, 180_000);

  afterAll(async () => {
    clearInterval(release);
    await browser?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    if (server) await stop(server.proc);
  });

  it("triggers a run from the button and shows its tasks live, then a task's log", async () => {
    await page.goto(`${server.url}/ui/`);
    await page.evaluate(`sessionStorage.setItem("millrace.token", ${JSON.stringify(TOKEN)})`);
    await page.goto(`${server.url}/ui/pipeline`);
    const trigger = page.getByRole("button", { name: "Trigger data" });
    await trigger.waitFor({ timeout: 30_000 });
    await trigger.click();
    await page.waitForURL(/\/ui\/pipeline\/[0-9a-f-]{36}$/, { timeout: 30_000 });
    const runId = page.url().split("/").at(-1)!;
    // While it runs: the run's badge says running, and the DAG's nodes are running or pending (not "not in this run").
    const nodes = page.locator(".react-flow__node");
    for (let i = 0; i < 600 && fs.readdirSync(pauseDir).length === 0; i++) await page.waitForTimeout(100);
    expect(fs.readdirSync(pauseDir).length).toBeGreaterThan(0); // the run holds after its first ingest's commit
    await page.locator(".badge", { hasText: /^running$/ }).first().waitFor({ timeout: 60_000 });
    await nodes.filter({ hasText: /running|pending/ }).first().waitFor({ timeout: 60_000 });
    expect(await page.locator("main").textContent()).not.toContain("not in this run");
    // Let every paused ingest (this run's and any later run's) go on.
    release = setInterval(() => {
      for (const f of fs.readdirSync(pauseDir)) fs.rmSync(path.join(pauseDir, f), { force: true });
    }, 100);
    // Then every task succeeds, without reloading the page.
    for (let i = 0; i < 240; i++) {
      const run = millrace(["pipeline", "runs", "-p", dir, "--json"]).json.find((r: any) => r.id === runId);
      if (run?.status === "succeeded") break;
      await page.waitForTimeout(500);
    }
    await page.waitForFunction(
      `(() => { const n = [...document.querySelectorAll(".react-flow__node")]; return n.length >= 8 && n.every((e) => e.textContent.includes("succeeded")); })()`,
      undefined,
      { timeout: 30_000 },
    );
    await page.getByLabel("task").selectOption("ingest:bronze.customers");
    await page.locator("pre.task-logs", { hasText: "attempt 1 started" }).waitFor({ timeout: 30_000 });
    await expect(page.locator("pre.task-logs").textContent()).resolves.toMatch(/ingest:bronze\.customers\s+succeeded in \d+ ms/);
    expect(errors).toEqual([]);
  });

  it("draws the run's Gantt and the grid of runs × tasks; a grid cell opens that task's log; no sideways scroll at 390 px", async () => {
    const runs = millrace(["pipeline", "runs", "-p", dir, "--json"]).json as any[];
    const runId = runs[0].id;
    await page.goto(`${server.url}/ui/pipeline/${runId}`);
    // One bar per task that ran, each as long as its attempt, coloured succeeded.
    const bars = page.locator(".gantt-bar");
    await bars.first().waitFor({ timeout: 30_000 });
    const timeline = (await (await fetch(`${server.url}/api/pipeline-runs/${runId}/timeline`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as any;
    const ran = timeline.tasks.filter((t: any) => t.attempts.length > 0);
    expect(ran.length).toBeGreaterThanOrEqual(2);
    expect(await bars.count()).toBe(ran.reduce((n: number, t: any) => n + t.attempts.length, 0));
    expect(new Set(await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-state"))))).toEqual(new Set(["succeeded"]));
    for (const t of ran) for (const a of t.attempts) expect(a.endMs).toBeGreaterThanOrEqual(a.startMs);
    // A second run, so the grid has two columns; then a cell of the first run opens its task's log.
    await page.getByRole("button", { name: "Trigger data" }).click();
    await page.waitForURL((u) => /\/ui\/pipeline\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(runId), { timeout: 30_000 });
    await page.waitForFunction(`Number(document.querySelector("[data-grid-runs]")?.getAttribute("data-grid-runs")) >= 2`, undefined, { timeout: 60_000 });
    const task = ran.find((t: any) => t.taskId.startsWith("transform:"))?.taskId ?? ran[0].taskId;
    await page.locator(`.grid-cell[data-run="${runId}"][data-task="${task}"]`).click();
    await page.waitForURL(`**/ui/pipeline/${runId}?task=${encodeURIComponent(task)}`);
    await page.locator("pre.task-logs", { hasText: "succeeded in" }).waitFor({ timeout: 30_000 });
    const shown = (await page.locator("pre.task-logs").textContent())!.split("\n");
    expect(shown.length).toBeGreaterThan(0);
    for (const line of shown) expect(line).toContain(task);
    // The page at a phone's width: the grid scrolls inside its card, the page does not.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await page.locator(".gantt-bar").first().waitFor({ timeout: 30_000 });
      await page.locator("[data-grid-runs]").waitFor();
      const [scroll, inner] = (await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")) as number[];
      expect(scroll).toBeLessThanOrEqual(inner);
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
    // Let the second run finish before the server stops.
    for (let i = 0; i < 240 && millrace(["pipeline", "runs", "-p", dir, "--json"]).json.some((r: any) => r.status === "running"); i++) await page.waitForTimeout(500);
    expect(errors).toEqual([]);
  });
});
