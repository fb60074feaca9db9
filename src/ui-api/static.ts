// Serves the built dashboard (dist/ui) under /ui/: hashed assets cached for good, gzip when the browser takes it,
// and index.html for every client-side route (/ui/runs/<id>, /ui/tables/...), so a reload or a shared link works.
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Context, Hono } from "hono";
import { NotFoundError, ValidationError } from "../errors.js";
import { errorJson } from "./http.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".svg", ".map", ".txt"]);

interface Loaded {
  bytes: Buffer;
  gz: Buffer | null;
  mtimeMs: number;
}

/** The file under `root` that a request path names, or null; refuses paths that climb out of `root`. */
export function resolveUiFile(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    throw new ValidationError(`the path ${urlPath} is not valid percent-encoding`, { path: "path" });
  }
  if (rel.includes("\0")) throw new ValidationError("the path holds a NUL byte", { path: "path" });
  const abs = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (abs !== root && !abs.startsWith(root + path.sep)) return null;
  try {
    return fs.statSync(abs).isFile() ? abs : null;
  } catch {
    return null;
  }
}

export function staticRoutes(app: Hono, uiDir: string): void {
  const root = path.resolve(uiDir);
  const cache = new Map<string, Loaded>();
  const load = (file: string): Loaded => {
    const mtimeMs = fs.statSync(file).mtimeMs;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const bytes = fs.readFileSync(file);
    const loaded = { bytes, gz: COMPRESSIBLE.has(path.extname(file)) && bytes.length > 1024 ? gzipSync(bytes) : null, mtimeMs };
    cache.set(file, loaded);
    return loaded;
  };

  const send = (c: Context, file: string, immutable: boolean): Response => {
    const f = load(file);
    const gzip = f.gz !== null && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    const headers: Record<string, string> = {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      vary: "accept-encoding",
    };
    if (gzip) headers["content-encoding"] = "gzip";
    return new Response(new Uint8Array(gzip ? f.gz! : f.bytes), { status: 200, headers });
  };

  app.get("/ui", (c) => c.redirect("/ui/", 302));
  app.get("/ui/*", (c) => {
    try {
      const index = path.join(root, "index.html");
      if (!fs.existsSync(index)) {
        throw new NotFoundError("the dashboard is not built into this install", { hint: "build it with: npm run build:ui (or npm run build)" });
      }
      const rel = new URL(c.req.url).pathname.slice("/ui/".length);
      const file = rel ? resolveUiFile(root, rel) : null;
      if (file) return send(c, file, rel.startsWith("assets/"));
      // A missing asset is a 404; any other path is a client-side route, answered by the app itself.
      if (rel.startsWith("assets/") || /\.[a-z0-9]{1,6}$/i.test(rel)) throw new NotFoundError(`no file ${rel} in the dashboard`);
      return send(c, index, false);
    } catch (e) {
      return errorJson(e);
    }
  });
}
