// The pipeline page in Debian's Chromium: click "Trigger", land on the new run, see its tasks go running →
// succeeded live (polled from the run's task logs), and read a task's log on the page.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServices } from "../src/store/test-helpers/services.js";
import { copyExample, millrace, startServe } from "./cli.js";
import { stop } from "./ui-fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "pipeline-browser-token";
const chromiumReason = fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install -y chromium)`;
if (chromiumReason && requireServices) throw new Error(`${chromiumReason}; CI must run the pipeline page's browser test`);

describe.skipIf(chromiumReason !== null)("pipeline page in Chromium", { timeout: 600_000 }, () => {
  let dir: string;
  let server: { url: string; proc: ChildProcess };
  let browser: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dir = copyExample();
    fs.appendFileSync(path.join(dir, "millrace.yaml"), "\npipelines:\n  data: { tasks: [ingest, transform] }\n");
    server = await startServe(dir, { MILLRACE_API_TOKEN: TOKEN });
    browser = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-chromium-")), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
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
    await page.locator(".badge", { hasText: /^running$/ }).first().waitFor({ timeout: 60_000 });
    await nodes.filter({ hasText: /running|pending/ }).first().waitFor({ timeout: 60_000 });
    expect(await page.locator("main").textContent()).not.toContain("not in this run");
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
});
