// Loads a project for a CLI command that only reads it: the project the last full load validated, when millrace.yaml,
// its path, the MILLRACE_* environment variables and the code that validates it are all unchanged; else loadProject(),
// remembered in .millrace/cli-project.json for the next command. Validating loads yaml, zod and every learner's
// parameter schema: ~150 ms of the ~240 ms of CPU `millrace models` took.
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { Project } from "../project/load-project.js";
import { VERSION } from "../version.js";

/** Bump when the cache file's layout changes. */
const FORMAT = 1;
const CACHE_FILE = "cli-project.json";
/**
 * The environment in the key: every MILLRACE_* variable, so one the loader reads (MILLRACE_METADATA_URL and
 * MILLRACE_ARTIFACTS_URL today, a new one tomorrow) never answers from an entry made under another value.
 */
const millraceEnv = () => Object.entries(process.env).filter(([k]) => k.startsWith("MILLRACE_")).sort(([a], [b]) => (a < b ? -1 : 1));

interface CacheEntry {
  format: number;
  key: string;
  /** Every module of the loader's static import graph with its mtime and size: any rebuild or edit is a miss. */
  code: [file: string, mtimeMs: number, size: number][];
  project: Project;
}

/** loadProject(dirOrFile), answered from the cache when nothing it depends on changed. */
export async function loadProjectCached(dirOrFile = "."): Promise<Project> {
  // The same file loadProject reads (load-project.ts: a .yaml/.yml path, else millrace.yaml in the folder).
  const file = path.resolve(dirOrFile.endsWith(".yaml") || dirOrFile.endsWith(".yml") ? dirOrFile : path.join(dirOrFile, "millrace.yaml"));
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return fullLoad(dirOrFile); // no file (or unreadable): loadProject says so in its words
  }
  // Hashed: MILLRACE_* values may hold passwords and tokens (a postgres:// URL), never written out as they are.
  const key = crypto.createHash("sha256").update(JSON.stringify([FORMAT, VERSION, file, text, millraceEnv()])).digest("hex");
  const cacheFile = path.join(path.dirname(file), ".millrace", CACHE_FILE);
  const hit = readEntry(cacheFile, key);
  if (hit) return hit;
  const project = await fullLoad(dirOrFile);
  writeEntry(cacheFile, key, project);
  return project;
}

async function fullLoad(dirOrFile: string): Promise<Project> {
  return (await import("../project/load-project.js")).loadProject(dirOrFile);
}

function readEntry(cacheFile: string, key: string): Project | null {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as CacheEntry;
  } catch {
    return null; // none yet, or torn by a crash: load it fully
  }
  if (entry.format !== FORMAT || entry.key !== key || !Array.isArray(entry.code) || entry.code.length === 0) return null;
  for (const [f, mtimeMs, size] of entry.code) {
    const st = fs.statSync(f, { throwIfNoEntry: false });
    if (!st || st.mtimeMs !== mtimeMs || st.size !== size) return null;
  }
  return entry.project;
}

/** Remembers a validated project; never fails the command (a read-only project folder just stays uncached). */
function writeEntry(cacheFile: string, key: string, project: Project): void {
  const json = JSON.stringify(project);
  // Only a project that JSON gives back exactly (no undefined, Date or class instance) may be answered from JSON.
  if (!isDeepStrictEqual(JSON.parse(json), project)) return;
  // A value taken from the environment (MILLRACE_METADATA_URL=postgres://user:password@…) stays off the disk; a short
  // one (MILLRACE_REQUIRE_SERVICES=1) is no URL and would match any digit.
  if (millraceEnv().some(([, v]) => v !== undefined && v.length >= 8 && json.includes(JSON.stringify(v).slice(1, -1)))) return;
  try {
    const code = loaderModules().map((f): [string, number, number] => {
      const st = fs.statSync(f);
      return [f, st.mtimeMs, st.size];
    });
    const entry: CacheEntry = { format: FORMAT, key, code, project };
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(entry));
    fs.renameSync(tmp, cacheFile);
  } catch {
    // not writable, or a module vanished mid-build: the next command loads fully again
  }
}

const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\sfrom\s*)?["']([^"']+)["']/gm;

/**
 * The files of load-project's static import graph (this folder's sibling in dist/ or src/): relative imports followed,
 * a package import stands for its resolved entry file. What validates millrace.yaml is somewhere in here.
 */
export function loaderModules(): string[] {
  const start = resolveSource(fileURLToPath(new URL("../project/load-project.js", import.meta.url)));
  const seen = new Set<string>();
  const queue = start ? [start] : [];
  while (queue.length > 0) {
    const f = queue.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.includes(`${path.sep}vendor${path.sep}`)) continue; // a one-file bundle (dist/vendor/zod.js): nothing to follow
    for (const m of fs.readFileSync(f, "utf8").matchAll(STATIC_IMPORT)) {
      const spec = m[1];
      if (spec.startsWith(".")) {
        const next = resolveSource(path.resolve(path.dirname(f), spec));
        if (next) queue.push(next);
      } else if (!spec.startsWith("node:") && !spec.startsWith("#")) {
        try {
          seen.add(createRequire(f).resolve(spec));
        } catch {
          // an ESM-only package without a require entry: its version shows in the lock file, not tracked here
        }
      }
    }
  }
  if (seen.size === 0) throw new Error("cached-project: the project loader's modules were not found");
  return [...seen].sort();
}

/** A compiled `x.js`, or under vitest (which runs src/) its `x.ts`. */
function resolveSource(jsPath: string): string | null {
  if (fs.existsSync(jsPath)) return jsPath;
  const ts = jsPath.replace(/\.js$/, ".ts");
  return fs.existsSync(ts) ? ts : null;
}
