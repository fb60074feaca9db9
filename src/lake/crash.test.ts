// Crash safety with real processes: a writer killed between writing data files and committing the manifest
// leaves the previous version whole, its lock is reclaimed, and every file is ingested exactly once on rerun;
// writers in two processes never interleave.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileLake, runChild } from "./test-helpers/child-lake.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

let build: { dir: string; lakeJs: string };
beforeAll(() => {
  build = compileLake();
}, 120_000);
afterAll(() => fs.rmSync(build.dir, { recursive: true, force: true }));

const { write, fresh, open } = useTempLakes();

/** A child that ingests files one commit at a time; with killAtCommit it SIGKILLs itself just before that commit. */
const INGEST_CHILD = (lakeJs: string) => `
import { Lake } from ${JSON.stringify(lakeJs)};
const { root, table, files, killAtCommit } = JSON.parse(process.argv[2]);
let commits = 0;
const lake = await Lake.open(root, { beforeCommit: (t) => {
  if (t === table && ++commits === killAtCommit) process.kill(process.pid, "SIGKILL");
} });
for (const f of files) {
  const r = await lake.ingestFiles(table, [f]);
  process.stdout.write("committed " + (r.version ? r.version.version : "none") + "\\n");
}
await lake.close();
`;

function dataFiles(dir: string, n: number, rows: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const lines = ["file,row"];
    for (let r = 0; r < rows; r++) lines.push(`${i},${r}`);
    return write(dir, `in/f${String(i).padStart(3, "0")}.csv`, lines.join("\n") + "\n");
  });
}

describe("crash safety", () => {
  it("a process killed between data write and manifest commit leaves the old version whole", async () => {
    const { dir, lake } = await fresh();
    const [a, b] = dataFiles(dir, 2, 100);
    await lake.ingestFiles("bronze.c", [a]);
    const { done } = runChild(build.dir, INGEST_CHILD(build.lakeJs), { root: lake.root, table: "bronze.c", files: [b], killAtCommit: 1 });
    const exit = await done;
    expect(exit.signal).toBe("SIGKILL");
    // The dead writer's data file is on disk and its lock file too, but no manifest names the file.
    const tdir = path.join(lake.root, "tables/bronze/c");
    expect(fs.readdirSync(path.join(tdir, "data"))).toHaveLength(2);
    expect(fs.existsSync(path.join(tdir, "_lock"))).toBe(true);
    const reader = await open(lake.root);
    const cur = (await reader.current("bronze.c"))!;
    expect(cur.version).toBe(1);
    expect(await reader.query(`SELECT count(*) AS n, count(DISTINCT file) AS f FROM ${reader.relation(cur)}`)).toEqual([{ n: 100, f: 1 }]);
    // Rerun: the stale lock is reclaimed, the file whose commit died is ingested, the committed one is not.
    const again = await reader.ingestFiles("bronze.c", [a, b]);
    expect(again.skipped).toEqual([a]);
    expect(again.version?.rowCount).toBe(200);
  });

  it("a writer killed at a random moment loses nothing and duplicates nothing across reruns", async () => {
    const { dir, lake } = await fresh();
    const files = dataFiles(dir, 40, 50);
    const { child, done } = runChild(build.dir, INGEST_CHILD(build.lakeJs), { root: lake.root, table: "bronze.r", files, killAtCommit: -1 });
    // Kill once a few commits have happened, at whatever point the writer is in.
    // Count with >= and a flag: one stdout chunk can carry several "committed" lines, so the count may skip 5.
    let seen = "";
    let killing = false;
    child.stdout!.on("data", (d) => {
      seen += d;
      if (!killing && (seen.match(/committed/g) ?? []).length >= 5) {
        killing = true;
        setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * 40));
      }
    });
    const exit = await done;
    expect(exit.signal).toBe("SIGKILL");
    const reader = await open(lake.root);
    const cur = (await reader.current("bronze.r"))!;
    expect(cur.version).toBeGreaterThanOrEqual(5);
    expect(cur.version).toBeLessThan(40);
    // Every committed version reads whole: its manifest's row count is what its files hold.
    for (const v of await reader.history("bronze.r")) {
      expect((await reader.query(`SELECT count(*) AS n FROM ${reader.relation(v)}`))[0].n).toBe(v.rowCount);
    }
    const rerun = await reader.ingestFiles("bronze.r", files);
    expect(rerun.skipped.length + rerun.ingested.length).toBe(40);
    expect(await reader.query("SELECT count(*) AS n, count(DISTINCT file) AS f, count(DISTINCT (file, row)) AS u FROM bronze.r")).toEqual([{ n: 2000, f: 40, u: 2000 }]);
  }, 120_000);

  it("two processes writing one table never interleave: every version is a whole commit", async () => {
    const { dir, lake } = await fresh();
    const files = dataFiles(dir, 20, 10);
    const runs = [0, 1].map((k) => runChild(build.dir, INGEST_CHILD(build.lakeJs), { root: lake.root, table: "bronze.two", files: files.filter((_, i) => i % 2 === k), killAtCommit: -1 }));
    const exits = await Promise.all(runs.map((r) => r.done));
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
    const history = await lake.history("bronze.two");
    expect(history.map((v) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    history.forEach((v, i) => expect(v.rowCount).toBe((i + 1) * 10));
    expect(await lake.query("SELECT count(*) AS n FROM bronze.two")).toEqual([{ n: 200 }]);
  });
});
