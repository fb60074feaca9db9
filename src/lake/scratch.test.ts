// A writer killed (SIGKILL, real child process) with its data, quarantine and scratch files on disk: the next
// write of that table removes them, keeps what a live writer still uses, and commits as usual.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDir, scratchFile } from "./scratch.js";
import { compileLake, runChild } from "./test-helpers/child-lake.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

let build: { dir: string; lakeJs: string };
beforeAll(() => {
  build = compileLake();
}, 120_000);
afterAll(() => fs.rmSync(build.dir, { recursive: true, force: true }));

const { fresh } = useTempLakes();

/** A child that pushes one NDJSON batch (one bad line, so a quarantine file too) and dies just before the commit. */
const CHILD = (lakeJs: string) => `
import { Lake } from ${JSON.stringify(lakeJs)};
const { root, table } = JSON.parse(process.argv[2]);
const lake = await Lake.open(root, { beforeCommit: () => process.kill(process.pid, "SIGKILL") });
await lake.ingestNdjson(table, '{"id":2}\\nnot json\\n');
`;

const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe("leftovers of a killed writer", () => {
  it("are removed by the next write of the table, not only by vacuum", async () => {
    const { lake } = await fresh();
    await lake.ingestNdjson("bronze.k", '{"id":1}\nbad\n');
    const tdir = path.join(lake.root, "tables/bronze/k");
    const qdir = path.join(lake.root, "tables/bronze/k__quarantine");
    const exit = await runChild(build.dir, CHILD(build.lakeJs), { root: lake.root, table: "bronze.k" }).done;
    expect(exit.signal).toBe("SIGKILL");
    // What the dead writer left: its version-2 data and quarantine files and its records scratch copy.
    expect(list(path.join(tdir, "data")).filter((f) => f.startsWith("v2-"))).toHaveLength(1);
    expect(list(path.join(qdir, "data")).filter((f) => f.startsWith("v2-"))).toHaveLength(1);
    expect(list(scratchDir(lake.root, "bronze.k"))).toHaveLength(1);
    // A scratch file of a live process (this one) is in use and must stay.
    const live = scratchFile(scratchDir(lake.root, "bronze.k"), "ndjson");
    fs.writeFileSync(live, "");

    const r = await lake.ingestNdjson("bronze.k", '{"id":3}\n');
    expect(r.version?.version).toBe(2);
    expect(list(path.join(tdir, "data"))).toEqual([...r.version!.files].map((f) => path.basename(f)).sort());
    const quarantineFiles = (await lake.history("bronze.k")).flatMap((v) => (v.info?.quarantine as { files: string[] } | undefined)?.files ?? []);
    expect(list(path.join(qdir, "data"))).toEqual(quarantineFiles.map((f) => path.basename(f)).sort());
    expect(list(scratchDir(lake.root, "bronze.k"))).toEqual([path.basename(live)]);
    expect(await lake.query("SELECT id FROM bronze.k ORDER BY id")).toEqual([{ id: 1 }, { id: 3 }]);
  }, 60_000);
});
