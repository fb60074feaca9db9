// The Predict page's explain toggle in Debian's Chromium: ticked with top 3, the answer shows the version's base value,
// three contributions and the raw score, the same numbers /api/models/{name}/{version}/predict answers for the body the
// page's curl line shows (with "explain": true, "explain_top": 3).
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireServices } from "../src/store/test-helpers/services.js";
import { chromiumMissing, openChromium } from "./chromium.js";
import { startServe } from "./cli.js";
import { churnProject, stop, type UiProject } from "./ui-fixture.js";

if (chromiumMissing && requireServices) throw new Error(`${chromiumMissing}; CI must run the Predict page's browser test`);

describe.skipIf(chromiumMissing !== null)("Predict page explanations in Chromium", () => {
  let p: UiProject;
  let server: { url: string; proc: ChildProcess };
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];

  beforeAll(async () => {
    p = churnProject();
    server = await startServe(p.dir);
    ({ profile, browser, page } = await openChromium(errors));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server.proc);
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it("shows base value + top contributions = raw score when explain is ticked", async () => {
    const v = p.summaries[0].model.version;
    await page.goto(`${server.url}/ui/models/churn/predict?version=${v}`);
    const predict = page.getByRole("button", { name: `Predict with v${v}` });
    await predict.waitFor({ timeout: 20_000 });
    await page.locator('input[name="explain"]').check();
    await page.locator('input[name="explain_top"]').fill("3");
    await predict.click();
    const shown = page.locator('[data-testid="explanation"]');
    await shown.waitFor({ timeout: 20_000 });
    const features = await shown.locator("[data-contribution]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-contribution")));
    expect(features).toHaveLength(3);
    const base = Number(await shown.locator("[data-base]").getAttribute("data-base"));
    const raw = Number(await shown.locator("[data-raw]").getAttribute("data-raw"));

    // The body the page sent is the one its curl line shows; the API answers it with the same explanation.
    const curl = (await page.locator("pre.curl").textContent()) ?? "";
    const body = JSON.parse(/-d '(.*)'$/s.exec(curl)![1].replace(/'\\''/g, "'"));
    expect(body).toMatchObject({ explain: true, explain_top: 3 });
    const a: any = await (await fetch(`${server.url}/api/models/churn/${v}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json();
    const [e] = a.explanations[0];
    expect(features).toEqual(e.contributions.map((c: any) => c.feature));
    expect(base).toBe(e.base);
    expect(raw).toBe(e.raw);
    expect(e.base + e.contributions.reduce((s: number, c: any) => s + c.value, 0) + e.rest).toBeCloseTo(raw, 9);
    const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-ui-explain-")), "predict-explain.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`Predict page with an explanation: ${shot}`);

    // Unticked, the next answer has no explanation.
    await page.locator('input[name="explain"]').uncheck();
    await predict.click();
    await shown.waitFor({ state: "detached", timeout: 20_000 });
    expect(errors).toEqual([]);
  });
});
