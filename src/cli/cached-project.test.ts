// The CLI's remembered project: the same answer as loadProject, and a full load again whenever the file, the
// environment or the validating code changed. Real scaffolded projects in temp folders.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.js";
import { initProject } from "../project/init-project.js";
import { loadProject } from "../project/load-project.js";
import { loadProjectCached, loaderModules } from "./cached-project.js";

const dirs: string[] = [];
const savedEnv = process.env.MILLRACE_METADATA_URL;
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  if (savedEnv === undefined) delete process.env.MILLRACE_METADATA_URL;
  else process.env.MILLRACE_METADATA_URL = savedEnv;
});

function project(): { dir: string; yaml: string; cache: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-cached-project-"));
  dirs.push(root);
  const dir = path.join(root, "shop");
  initProject(dir);
  return { dir, yaml: path.join(dir, "millrace.yaml"), cache: path.join(dir, ".millrace", "cli-project.json") };
}

/** Rewrites the remembered entry (same key), so an answer that carries the edit can only have come from the cache. */
function tamper(cache: string, edit: (entry: { project: { config: { name: string } }; code: [string, number, number][] }) => void): void {
  const entry = JSON.parse(fs.readFileSync(cache, "utf8"));
  edit(entry);
  fs.writeFileSync(cache, JSON.stringify(entry));
}

describe("loadProjectCached", () => {
  it("answers what loadProject answers, then from the cache, and loads again when millrace.yaml changes", async () => {
    const { dir, yaml, cache } = project();
    expect(await loadProjectCached(dir)).toEqual(loadProject(dir));
    expect(fs.existsSync(cache)).toBe(true);

    tamper(cache, (e) => (e.project.config.name = "from_the_cache"));
    expect((await loadProjectCached(dir)).config.name).toBe("from_the_cache");
    expect((await loadProjectCached(yaml)).config.name).toBe("from_the_cache"); // the file's path is the same key

    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace(/^name: .*$/m, "name: renamed"));
    const renamed = await loadProjectCached(dir);
    expect(renamed.config.name).toBe("renamed");
    expect(renamed).toEqual(loadProject(dir));
  });

  it("loads again when an environment variable it reads changes, or a module of the loader was rebuilt", async () => {
    const { dir, cache } = project();
    await loadProjectCached(dir);
    tamper(cache, (e) => (e.project.config.name = "from_the_cache"));

    process.env.MILLRACE_METADATA_URL = "sqlite:/tmp/elsewhere/meta.db";
    const withEnv = await loadProjectCached(dir);
    expect(withEnv.paths.metadata).toBe("sqlite:/tmp/elsewhere/meta.db");
    expect(withEnv).toEqual(loadProject(dir));
    // A value from the environment (it may hold a password) is never written out: the old entry stays.
    expect(fs.readFileSync(cache, "utf8")).not.toContain("elsewhere");
    process.env.MILLRACE_METADATA_URL = "postgres://ann:s3cret@127.0.0.1:5432/test";
    expect((await loadProjectCached(dir)).paths.metadata).toBe("postgres://ann:s3cret@127.0.0.1:5432/test");
    expect(fs.readFileSync(cache, "utf8")).not.toContain("s3cret");
    delete process.env.MILLRACE_METADATA_URL;
    expect((await loadProjectCached(dir)).config.name).toBe("from_the_cache"); // the entry made without it answers again

    tamper(cache, (e) => {
      e.project.config.name = "from_the_cache";
      e.code[0][1] -= 1000; // as if that file had been written again since
    });
    expect((await loadProjectCached(dir)).config.name).toBe("shop");
  });

  it("refuses an invalid millrace.yaml with loadProject's error and remembers nothing", async () => {
    const { dir, yaml, cache } = project();
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace(/^name: .*$/m, "nme: shop"));
    const expected = (() => {
      try {
        loadProject(dir);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("loadProject accepted an invalid file");
    })();
    await expect(loadProjectCached(dir)).rejects.toThrow(expected.message);
    await expect(loadProjectCached(dir)).rejects.toBeInstanceOf(ConfigError);
    expect(fs.existsSync(cache)).toBe(false);
    await expect(loadProjectCached(path.join(dir, "missing"))).rejects.toThrow(/no millrace\.yaml at/);
  });

  it("tracks the files that validate millrace.yaml: the schema, the learners' parameter specs and zod", () => {
    const files = loaderModules().map((f) => path.relative(path.resolve(import.meta.dirname, "../.."), f));
    expect(files).toContain("src/project/load-project.ts");
    expect(files).toContain("src/project/config.ts");
    expect(files).toContain("src/learn/model-specs.ts");
    expect(files.some((f) => f.startsWith("node_modules/zod/"))).toBe(true);
  });
});
