// Bundles the many-file dependencies into one ESM file each under dist/vendor/, then points the compiled code at them.
// Why: Node loads each file of a package separately; every CLI command paid for Kysely's 262 files, zod's 95 and
// yaml's ~60 (CommonJS) before doing anything.
//   - kysely → dist/vendor/kysely.js, imported in src as `#kysely` (package.json "imports"; vitest aliases it).
//   - zod, yaml, commander → dist/vendor/{zod,yaml,commander}.js; src keeps `from "zod"` (what tsc and vitest read),
//     and this script rewrites those import lines in dist/**/*.js to the bundle's relative path after tsc.
// Measured 2026-12-05 on the 2-core VM (`/usr/bin/time node -e "await import(X)"`, 3 runs, user CPU):
// node alone 0.09 s, `kysely` 0.25–0.29 s, this bundle 0.12–0.13 s. In-process import CPU (median of 3, load 4):
// zod 50 → 34 ms, yaml 31 → 3 ms, commander 11 → 8 ms.
//   node scripts/bundle-vendor.mjs   (run by `npm run build`, after tsc)
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "rolldown";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "dist");
const vendorDir = path.join(dist, "vendor");

/** Packages bundled; `rewrite` ones are imported by their bare name in src and redirected in dist/ below. */
const BUNDLES = [
  { name: "kysely", rewrite: false },
  { name: "zod", rewrite: true },
  { name: "yaml", rewrite: true },
  { name: "commander", rewrite: true },
];

/** Replaces a file in one rename: a CLI started by a test while another engineer builds never reads half a file. */
function replaceFile(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

for (const { name } of BUNDLES) {
  const file = path.join(vendorDir, `${name}.js`);
  const staged = `${file}.${process.pid}.tmp`;
  await build({
    input: path.join(root, `vendor/${name}-entry.mjs`),
    platform: "node",
    logLevel: "warn",
    output: { file: staged, format: "esm" },
  });
  if (!fs.existsSync(staged)) throw new Error(`bundle-vendor: ${path.relative(root, file)} was not written`);
  fs.renameSync(staged, file);
  // A bundle that lost a name (a new export of the package, a CommonJS name not listed in its entry) fails the build.
  const [bundled, original] = [await import(pathToFileURL(file).href), await import(name)];
  const missing = Object.keys(original).filter((k) => !(k in bundled));
  if (missing.length) throw new Error(`bundle-vendor: dist/vendor/${name}.js lacks ${missing.join(", ")} (list them in vendor/${name}-entry.mjs)`);
}

/** `import … from "zod";` / `export … from "zod";` lines as tsc writes them (one statement a line), and `import("zod")`. */
const rewritable = BUNDLES.filter((b) => b.rewrite).map((b) => b.name);
const names = rewritable.join("|");
const IMPORT_LINE = new RegExp(`^((?:import|export)\\b[^\\n;]*?\\bfrom\\s*)"(${names})";|(\\bimport\\(\\s*)"(${names})"(?=\\s*\\))`, "gm");
let rewritten = 0;
for (const entry of fs.readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".js")) continue;
  const file = path.join(entry.parentPath, entry.name);
  if (file.startsWith(vendorDir + path.sep)) continue;
  const text = fs.readFileSync(file, "utf8");
  const out = text.replace(IMPORT_LINE, (_m, head, pkg, dynHead, dynPkg) => {
    const rel = path.relative(path.dirname(file), path.join(vendorDir, `${pkg ?? dynPkg}.js`)).split(path.sep).join("/");
    const spec = `"${rel.startsWith(".") ? rel : `./${rel}`}"`;
    return head !== undefined ? `${head}${spec};` : `${dynHead}${spec}`;
  });
  if (out !== text) {
    replaceFile(file, out);
    rewritten++;
  }
}
if (process.env.BUNDLE_VENDOR_VERBOSE) console.log(`bundle-vendor: ${BUNDLES.length} bundles, ${rewritten} files of dist/ now import ${rewritable.join(", ")} from dist/vendor/`);
