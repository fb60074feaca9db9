// Adds to package-lock.json the platform-specific optional packages (darwin/win32/arm builds of DuckDB's and
// msgpackr's native bindings) that a registry mirror without them leaves out: without their entries `npm ci`
// refuses the lock on every machine ("Missing: … from lock file"). The entries carry the version and platform
// only; npm skips them on other platforms and, where they apply, fetches them from the registry as usual.
//   node scripts/complete-lockfile.mjs   (run after `npm install` changes dependencies)
import fs from "node:fs";
import path from "node:path";

const file = path.resolve(import.meta.dirname, "../package-lock.json");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const packages = lock.packages;

/** os / cpu / libc from a platform package's name, e.g. node-bindings-linux-arm64-musl. */
function platformOf(name) {
  const m = /-(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32)(?:-(musl|gnu))?$/.exec(name);
  if (!m) return null;
  return { os: [m[1]], cpu: [m[2]], ...(m[1] === "linux" ? { libc: [m[3] === "musl" ? "musl" : "glibc"] } : {}) };
}

let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `node_modules/${dep}`;
    if (packages[where]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[where] = { version: String(version).replace(/^[\^~=]/, ""), optional: true, ...platform };
    added++;
    console.log(`added ${where}@${packages[where].version} (${platform.os}/${platform.cpu}) for ${key || "the project"}`);
  }
}
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
console.log(added ? `${added} entries added` : "the lock file was complete");
