// Bundles Kysely into one ESM file, dist/vendor/kysely.js, imported everywhere as `#kysely` (package.json "imports").
// Why: Node loads Kysely's ESM build as 262 files; every CLI command that opens the metadata store paid for it.
// Measured 2026-12-05 on the 2-core VM (`/usr/bin/time node -e "await import(X)"`, 3 runs, user CPU):
// node alone 0.09 s, `kysely` 0.25–0.29 s, this bundle 0.12–0.13 s.
//   node scripts/bundle-vendor.mjs   (run by `npm run build`)
import fs from "node:fs";
import path from "node:path";
import { build } from "rolldown";

const root = path.resolve(import.meta.dirname, "..");
const entry = path.join(root, "vendor/kysely-entry.mjs");
await build({
  input: entry,
  platform: "node",
  logLevel: "warn",
  output: { file: path.join(root, "dist/vendor/kysely.js"), format: "esm" },
});
if (!fs.existsSync(path.join(root, "dist/vendor/kysely.js"))) throw new Error("bundle-vendor: dist/vendor/kysely.js was not written");
