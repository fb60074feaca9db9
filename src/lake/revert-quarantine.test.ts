// Undo keeps a table and its quarantine together: reverting a forget brings back the file's quarantine lines and its
// ingest record, reverting an ingest takes its lines away, and a redo or a re-read afterwards holds each line once.
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { forgetFile } from "./forget.js";
import type { Lake } from "./lake.js";
import { revertTable } from "./revert.js";
import { vacuum } from "./vacuum.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { write, fresh, open } = useTempLakes();
const types = { csv: { types: { d: "DATE" } } };

/** Everything a reader sees of the table and its quarantine, in a fixed order. */
async function state(lake: Lake, table: string) {
  return {
    rows: await lake.query(`SELECT id, d, _source_file AS f FROM ${table} ORDER BY ALL`),
    lines: await lake.query(`SELECT source_file AS f, line, rule, reason, raw FROM ${table}__quarantine ORDER BY ALL`),
  };
}

/** a.csv (1 row, 2 lines quarantined) and b.csv (1 row, 1 line) in one version of `table`, and what it holds then. */
async function twoFiles(table: string) {
  const { dir, lake } = await fresh();
  const a = write(dir, "a.csv", "id,d\n1,2026-01-01\n2,x\n3,y\n");
  const b = write(dir, "b.csv", "id,d\n4,z\n5,2026-01-02\n");
  await lake.ingestFiles(table, [a, b], types);
  return { lake, a, b, before: await state(lake, table) };
}

describe("revert of a forget", () => {
  it("a partly quarantined file: rows and quarantine lines come back exactly; a redo and a second revert hold each once", async () => {
    const { lake, a, b, before } = await twoFiles("bronze.t");
    const qBefore = (await lake.current("bronze.t__quarantine"))!.contentHash;
    expect(before.lines).toHaveLength(3);
    const f = await forgetFile(lake, a);
    expect(f).toMatchObject({ version: 2, rowsRemoved: 1, quarantineRowsRemoved: 2 });
    const forgotten = await state(lake, "bronze.t");
    expect(forgotten.lines).toEqual([expect.objectContaining({ f: b, line: 2 })]);

    const r = await revertTable(lake, "bronze.t", 1);
    expect(r).toMatchObject({ version: 3, rowsAfter: 2, quarantine: { rowsBefore: 1, rowsAfter: 3 } });
    expect(await state(lake, "bronze.t")).toEqual(before);
    // The same quarantine files as before the forget: the same content, not a copy of it.
    expect((await lake.current("bronze.t__quarantine"))!.contentHash).toBe(qBefore);
    // The landing files are unchanged: the next ingest reads nothing.
    expect((await lake.ingestFiles("bronze.t", [a, b], types)).version).toBeNull();

    await revertTable(lake, "bronze.t", 2); // redo the forget
    expect(await state(lake, "bronze.t")).toEqual(forgotten);
    await revertTable(lake, "bronze.t", 3);
    expect(await state(lake, "bronze.t")).toEqual(before);
  });

  it("an all-quarantined file: its lines and its ingest record come back, so the next run does not read it again", async () => {
    const { dir, lake } = await fresh();
    const ok = write(dir, "ok.csv", "id,d\n1,2026-01-01\n2,w\n");
    const a = write(dir, "a.csv", "id,d\n3,x\n4,y\n");
    await lake.ingestFiles("bronze.z", [ok], types);
    expect(await lake.ingestFiles("bronze.z", [a], types)).toMatchObject({ version: { version: 2 }, rowsOut: 0, rowsBad: 2 });
    const before = await state(lake, "bronze.z");
    expect(before.lines).toHaveLength(3);
    expect(await forgetFile(lake, a)).toMatchObject({ version: 3, recordForgotten: true, quarantineRowsRemoved: 2 });
    const forgotten = await state(lake, "bronze.z");

    const r = await revertTable(lake, "bronze.z", 2);
    expect(r).toMatchObject({ quarantine: { rowsBefore: 1, rowsAfter: 3 }, records: { restored: 1, forgotten: 0 } });
    expect(await state(lake, "bronze.z")).toEqual(before);
    expect(await lake.ingestFiles("bronze.z", [ok, a], types)).toMatchObject({ version: null, skipped: [ok, a] });
    expect(await state(lake, "bronze.z")).toEqual(before);

    // Redo the forget: the lines leave and the record is forgotten again, so the next run reads the file once more.
    const redo = await revertTable(lake, "bronze.z", 3);
    expect(redo).toMatchObject({ records: { restored: 0, forgotten: 1 } });
    expect(await state(lake, "bronze.z")).toEqual(forgotten);
    expect(await lake.ingestFiles("bronze.z", [ok, a], types)).toMatchObject({ skipped: [ok], rowsOut: 0, rowsBad: 2 });
    expect(await state(lake, "bronze.z")).toEqual(before);
  });
});

describe("revert of a re-read that followed a forget", () => {
  it("takes the re-read's lines away, and the file stays read: the next run does not bring them back", async () => {
    const { dir, lake } = await fresh();
    const ok = write(dir, "ok.csv", "id,d\n1,2026-01-01\n2,w\n");
    const a = write(dir, "a.csv", "id,d\n3,x\n4,y\n");
    await lake.ingestFiles("bronze.w", [ok], types);
    await lake.ingestFiles("bronze.w", [a], types);
    await forgetFile(lake, a);
    const forgotten = await state(lake, "bronze.w");
    expect(await lake.ingestFiles("bronze.w", [ok, a], types)).toMatchObject({ version: { version: 4 }, rowsBad: 2 });
    expect(await revertTable(lake, "bronze.w", 3)).toMatchObject({ quarantine: { rowsBefore: 3, rowsAfter: 1 }, records: { restored: 0, forgotten: 0 } });
    expect(await state(lake, "bronze.w")).toEqual(forgotten);
    expect((await lake.ingestFiles("bronze.w", [ok, a], types)).version).toBeNull();
  });
});

describe("revert of an ingest that quarantined rows", () => {
  it("takes the ingest's lines away with its rows; re-reading the landing folder and a redo hold each line once", async () => {
    const { dir, lake } = await fresh();
    const ok = write(dir, "ok.csv", "id,d\n1,2026-01-01\n2,w\n");
    await lake.ingestFiles("bronze.i", [ok], types);
    const v1 = await state(lake, "bronze.i");
    const bad = write(dir, "bad.csv", "id,d\n3,2026-01-03\n4,x\n5,y\n");
    await lake.ingestFiles("bronze.i", [bad], types);
    const v2 = await state(lake, "bronze.i");
    expect(v2.lines).toHaveLength(3);

    expect(await revertTable(lake, "bronze.i", 1)).toMatchObject({ quarantine: { rowsBefore: 3, rowsAfter: 1 }, records: { restored: 0, forgotten: 0 } });
    expect(await state(lake, "bronze.i")).toEqual(v1);
    expect((await lake.ingestFiles("bronze.i", [ok, bad], types)).version).toBeNull();
    expect(await state(lake, "bronze.i")).toEqual(v1);
    await revertTable(lake, "bronze.i", 2);
    expect(await state(lake, "bronze.i")).toEqual(v2);
  });

  it("a re-saved file's earlier content comes back with its own lines, not the new content's; re-reading adds none", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id,d\n1,2026-01-01\n2,x\n");
    await lake.ingestFiles("bronze.r", [a], types);
    const v1 = await state(lake, "bronze.r");
    write(dir, "a.csv", "id,d\n1,2026-01-01\n3,y\n4,z\n");
    expect(await lake.ingestFiles("bronze.r", [a], types)).toMatchObject({ version: { operation: "replace" }, rowsBad: 2 });
    await revertTable(lake, "bronze.r", 1);
    expect(await state(lake, "bronze.r")).toEqual(v1);
    expect((await lake.ingestFiles("bronze.r", [a], types)).version).toBeNull();
    expect(await state(lake, "bronze.r")).toEqual(v1);
  });

  it("reverting to before the first quarantined line empties the quarantine", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.e", [write(dir, "ok.csv", "id,d\n1,2026-01-01\n")], types);
    await lake.ingestFiles("bronze.e", [write(dir, "bad.csv", "id,d\n2,x\n")], types);
    await revertTable(lake, "bronze.e", 1);
    expect(await lake.query("SELECT count(*) AS n FROM bronze.e__quarantine")).toEqual([{ n: 0 }]);
  });
});

describe("revert of a table without quarantine lines", () => {
  it("starts no quarantine table and reports none", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.n", [write(dir, "a.csv", "id\n1\n")]);
    await lake.ingestFiles("bronze.n", [write(dir, "b.csv", "id\n2\n")]);
    const r = await revertTable(lake, "bronze.n", 1);
    expect(r.quarantine).toBeUndefined();
    expect(await lake.current("bronze.n__quarantine")).toBeNull();
  });
});

describe("a crash between a revert's commit and its quarantine's", () => {
  const crashQuarantine = { beforeCommit: (t: string) => { if (t.endsWith("__quarantine")) throw new Error("simulated crash"); } };

  it("is repaired by the next write: the revert manifest says which lines the quarantine holds", async () => {
    const { lake, a, b, before } = await twoFiles("bronze.c");
    await forgetFile(lake, a);
    const crashing = await open(lake.root, crashQuarantine);
    await expect(revertTable(crashing, "bronze.c", 1)).rejects.toThrow("simulated crash");
    expect((await lake.current("bronze.c"))!.operation).toBe("revert");
    expect(await lake.query("SELECT count(*) AS n FROM bronze.c__quarantine")).toEqual([{ n: 1 }]); // not yet: b.csv's line only
    expect((await lake.ingestFiles("bronze.c", [a, b], types)).version).toBeNull(); // reads nothing, repairs first
    expect(await state(lake, "bronze.c")).toEqual(before);
  });

  it("a version whose quarantine was committed together with a later one's is still restored exactly", async () => {
    const { lake } = await fresh();
    const rules = (bad: number) => ({ parents: [], rowRules: [{ rule: "range", failWhere: `id % 4 = ${bad}`, reason: `'id % 4 = ${bad}'` }] });
    const build = (l: Lake, bad: number) => l.materialize("silver.m", "SELECT range AS id FROM range(8)", rules(bad));
    await build(lake, 0);
    const crashing = await open(lake.root, crashQuarantine);
    // v2 and v3 commit, their quarantine commits do not: the next reconcile covers both in one quarantine version.
    await expect(build(crashing, 1)).rejects.toThrow("simulated crash");
    await expect(build(crashing, 2)).rejects.toThrow("simulated crash");
    const r = await revertTable(lake, "silver.m", 2);
    expect(r.quarantine).toEqual({ rowsBefore: 2, rowsAfter: 2 });
    expect(await lake.query("SELECT reason, count(*) AS n FROM silver.m__quarantine GROUP BY ALL")).toEqual([{ reason: "id % 4 = 1", n: 2 }]);
    expect(await lake.query("SELECT count(*) AS n FROM silver.m WHERE id % 4 = 1")).toEqual([{ n: 0 }]);
  });
});

describe("revert after vacuum removed the quarantine versions it would read", () => {
  it("reverts the rows, keeps the quarantine's current lines and says so", async () => {
    const { dir, lake } = await fresh();
    const a = write(dir, "a.csv", "id,d\n1,2026-01-01\n2,x\n");
    await lake.ingestFiles("bronze.v", [a], types);
    await forgetFile(lake, a);
    await vacuum(lake, "bronze.v__quarantine", { keep: 1 });
    const r = await revertTable(lake, "bronze.v", 1);
    expect(r).toMatchObject({ rowsAfter: 1, warnings: [expect.stringMatching(/bronze\.v__quarantine keeps its current lines: vacuum removed .* at v1/)] });
    expect(r.quarantine).toBeUndefined();
    expect(await lake.query("SELECT count(*) AS n FROM bronze.v__quarantine")).toEqual([{ n: 0 }]);
  });
});

describe("revert of a quarantine table itself", () => {
  it("is refused, naming the table to revert instead", async () => {
    const { dir, lake } = await fresh();
    await lake.ingestFiles("bronze.q", [write(dir, "a.csv", "id,d\n1,x\n2,2026-01-01\n")], types);
    await forgetFile(lake, write(dir, "a.csv", "id,d\n1,x\n2,2026-01-01\n"));
    const err = await revertTable(lake, "bronze.q__quarantine", 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/bronze\.q__quarantine follows bronze\.q/);
    expect((err as ValidationError).hint).toMatch(/millrace revert bronze\.q --to/);
  });
});
