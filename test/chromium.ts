// Debian's Chromium for the dashboard's browser tests: why it cannot run here (or null), and a fresh headless profile
// whose script and console errors are collected.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run on this machine, or null. */
export const chromiumMissing: string | null = fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install -y chromium)`;

/**
 * A fresh profile with one page; script errors and console errors go to `errors`. A failed resource load (an API 404
 * or 401 the page expects and handles) is logged by Chromium as an error but is not a script error.
 */
export async function openChromium(errors: string[]): Promise<{ profile: string; browser: BrowserContext; page: Page }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
  return { profile, browser, page };
}
