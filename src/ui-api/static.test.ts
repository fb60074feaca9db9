// The dashboard's static files: client routes get index.html, assets are cached for good and gzipped, and no
// path climbs out of the folder.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveUiFile, staticRoutes } from "./static.js";

describe("dashboard static files", () => {
  let root: string;
  let app: Hono;
  const js = `console.log(${JSON.stringify("x".repeat(4000))});`;
  beforeAll(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-ui-static-"));
    root = path.join(base, "ui");
    fs.mkdirSync(path.join(root, "assets"), { recursive: true });
    fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><div id=root></div>");
    fs.writeFileSync(path.join(root, "assets/app-1234.js"), js);
    fs.writeFileSync(path.join(base, "secret.txt"), "not for the web");
    app = new Hono();
    staticRoutes(app, root);
  });

  it("answers client-side routes with index.html, not cached", async () => {
    for (const url of ["/ui/", "/ui/runs/abc", "/ui/tables/silver.customers?version=2"]) {
      const res = await app.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toContain("id=root");
    }
    const bare = await app.request("/ui");
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe("/ui/");
  });

  it("serves hashed assets cached for good, gzipped only when the browser takes gzip", async () => {
    const plain = await app.request("/ui/assets/app-1234.js");
    expect(plain.headers.get("cache-control")).toContain("immutable");
    expect(plain.headers.get("content-type")).toContain("text/javascript");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(js);
    const gz = await app.request("/ui/assets/app-1234.js", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    const bytes = Buffer.from(await gz.arrayBuffer());
    expect(bytes.length).toBeLessThan(js.length / 4);
    expect(gunzipSync(bytes).toString()).toBe(js);
  });

  it("404s a missing asset as JSON instead of handing out index.html", async () => {
    const res = await app.request("/ui/assets/gone-9999.js");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found", message: expect.stringContaining("gone-9999.js") });
  });

  it("never reads outside the folder, however the path is spelt", async () => {
    expect(resolveUiFile(root, "../secret.txt")).toBeNull();
    expect(resolveUiFile(root, "assets/../../secret.txt")).toBeNull();
    expect(resolveUiFile(root, "%2e%2e/secret.txt")).toBeNull();
    expect(resolveUiFile(root, "..%2fsecret.txt")).toBeNull();
    expect(resolveUiFile(root, "assets")).toBeNull(); // a folder is not a file
    expect(resolveUiFile(root, "assets/app-1234.js")).toBe(path.join(root, "assets/app-1234.js"));
    expect(() => resolveUiFile(root, "a%00b")).toThrow(/NUL/);
    expect(() => resolveUiFile(root, "%E0%A4%A")).toThrow(/percent-encoding/);
    for (const url of ["/ui/..%2fsecret.txt", "/ui/%2e%2e/secret.txt", "/ui/assets/..%2f..%2fsecret.txt"]) {
      const res = await app.request(url);
      expect(await res.text(), url).not.toContain("not for the web");
    }
    expect((await app.request("/ui/%E0%A4%A")).status).toBe(400);
  });

  it("says how to build the dashboard when it is not built", async () => {
    const bare = new Hono();
    staticRoutes(bare, path.join(root, "missing"));
    const res = await bare.request("/ui/");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ hint: expect.stringContaining("npm run build:ui") });
  });
});
