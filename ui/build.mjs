// `npm run build:ui`: type-checks and builds the dashboard into dist/ui, or does nothing when the sources, the
// API's types and the locked dependencies are the same as at the last build (the TypeScript build stays fast).
//   node ui/build.mjs [--force]
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ui = import.meta.dirname;
const repo = path.resolve(ui, "..");
const out = path.join(repo, "dist/ui");
const stampFile = path.join(out, ".build-hash");

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

/** The API's types and the files they take records from (the browser's type-check reads them). */
function apiTypeFiles() {
  const types = path.join(repo, "src/ui-api/types.ts");
  const imported = [...fs.readFileSync(types, "utf8").matchAll(/from "(\.[^"]+)\.js"/g)].map((m) => path.resolve(path.dirname(types), `${m[1]}.ts`));
  // Server files the pages import directly (types, and a few dependency-free values such as the system tags).
  const direct = filesUnder(path.join(ui, "src")).flatMap((f) =>
    [...fs.readFileSync(f, "utf8").matchAll(/from "((?:\.\.\/)+src\/[^"]+)\.js"/g)].map((m) => path.resolve(path.dirname(f), `${m[1]}.ts`)),
  );
  return [...new Set([types, ...imported, ...direct])].filter((f) => fs.existsSync(f)).sort();
}

const inputs = [...filesUnder(ui), ...apiTypeFiles(), path.join(repo, "package-lock.json")];
const hash = createHash("sha256");
for (const f of inputs) hash.update(path.relative(repo, f)).update("\0").update(fs.readFileSync(f)).update("\0");
const digest = hash.digest("hex");

if (!process.argv.includes("--force") && fs.existsSync(path.join(out, "index.html")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === digest) {
  console.log("dashboard: dist/ui is up to date");
  process.exit(0);
}

const started = performance.now();
try {
  execFileSync(process.execPath, [path.join(repo, "node_modules/typescript/bin/tsc"), "-p", path.join(ui, "tsconfig.json")], { stdio: "inherit" });
} catch {
  console.error("dashboard: type errors in ui/ (above); dist/ui was not rebuilt");
  process.exit(1);
}
const { build } = await import("vite");
await build({ configFile: path.join(ui, "vite.config.ts"), logLevel: "warn" });
fs.writeFileSync(stampFile, digest);
const bytes = filesUnder(out).reduce((n, f) => n + fs.statSync(f).size, 0);
console.log(`dashboard: built dist/ui (${(bytes / 1024).toFixed(0)} KiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
