// Partitions by column: a pipeline with partition_by: { column: event_date, granularity: day } backfills 31 days,
// each run replacing only its day's rows of silver.events; a rerun of one day after a correction replaces that
// day's rows (one new table version), keeps every other day's file as it was, and each row is there exactly once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectFromYaml } from "../project/load-project.js";
import { backfill } from "./backfill.js";
import { runPipeline } from "./pipeline.js";
import { withResources } from "./resources.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const YAML = `name: daily
sources:
  - { name: events, pattern: "*.csv", key: [id] }
dataset: { table: silver.events, target: amount, task: regression, exclude: [id] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: ridge }]
registry: { model: daily }
pipelines:
  daily:
    tasks: [ingest, transform]
    partition_by: { column: event_date, granularity: day, start: 2026-01-01 }
`;

const day = (d: number) => `2026-01-${String(d).padStart(2, "0")}`;

describe("partitions by column", () => {
  it("31 daily partitions, then one day rerun: rows exactly once, the other days' files untouched", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-partby-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "models/silver"), { recursive: true });
    fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
    fs.writeFileSync(path.join(dir, "millrace.yaml"), YAML);
    fs.writeFileSync(path.join(dir, "models/silver/events.sql"), "select id, event_date, amount from {{ ref('bronze.events') }}\n");
    // 31 days × 20 events, in one landing file (the partitions are by column, not by file).
    const rows = Array.from({ length: 31 * 20 }, (_, i) => `${i},${day(1 + Math.floor(i / 20))},${i % 7}`);
    fs.writeFileSync(path.join(dir, "data/landing/events.csv"), `id,event_date,amount\n${rows.join("\n")}\n`);
    const p = projectFromYaml(YAML, path.join(dir, "millrace.yaml"));

    await withResources(p, async (r) => {
      const out = await backfill(r, "daily", { from: day(1), to: day(31) });
      expect(out.partitions.map((x) => x.status)).toEqual(Array(31).fill("succeeded"));
      const q = (sql: string) => r.lake.query(sql);
      const silver = async () => r.lake.relation((await r.lake.current("silver.events"))!);
      expect(await q(`select count(*)::int as n, count(distinct id)::int as ids, count(distinct event_date)::int as days from ${await silver()}`)).toEqual([{ n: 620, ids: 620, days: 31 }]);
      const before = (await r.lake.current("silver.events"))!;
      const beforeManifest = r.lake.manifest(before);
      expect(beforeManifest.operation).toBe("replace_partition");
      // Each day's rows sit in their own file: 31 files of 20 rows.
      expect(beforeManifest.fileRows).toEqual(Array(31).fill(20));

      // A correction of day 15 (a keyed source: the ids' amounts change), then the day is run again.
      const fix = Array.from({ length: 20 }, (_, j) => `${14 * 20 + j},${day(15)},100`);
      fs.writeFileSync(path.join(dir, "data/landing/fix-15.csv"), `id,event_date,amount\n${fix.join("\n")}\n`);
      const rerun = await runPipeline(r, { pipeline: "daily", partition: day(15), trigger: "backfill" });
      expect(rerun.status).toBe("succeeded");
      const after = (await r.lake.current("silver.events"))!;
      // One new table version for the rerun.
      expect(after.version).toBe(before.version + 1);
      const afterManifest = r.lake.manifest(after);
      expect(afterManifest.info?.partition).toMatchObject({ key: day(15), inserted: 20, replaced: 20, keptFiles: 30 });
      // The other 30 days' files are the very files of the version before; day 15's file is new.
      const kept = beforeManifest.files.filter((f) => afterManifest.files.includes(f));
      expect(kept).toHaveLength(30);
      expect(afterManifest.files).toHaveLength(31);
      expect(await q(`select count(*)::int as n, count(distinct id)::int as ids from ${await silver()}`)).toEqual([{ n: 620, ids: 620 }]);
      expect(await q(`select event_date::varchar as d, sum(amount)::int as s from ${await silver()} where event_date in ('${day(14)}', '${day(15)}') group by 1 order by 1`)).toEqual([
        { d: day(14), s: rows.slice(13 * 20, 14 * 20).reduce((a, l) => a + Number(l.split(",")[2]), 0) },
        { d: day(15), s: 2000 },
      ]);
      // The rerun of a day whose inputs did not change reuses the version.
      const again = await runPipeline(r, { pipeline: "daily", partition: day(15), trigger: "backfill" });
      expect(again.status).toBe("succeeded");
      expect((await r.lake.current("silver.events"))!.version).toBe(after.version);
    });
  });

  it("refuses a partition_by without its start and an SLA it cannot read, naming the key", () => {
    const file = "/tmp/millrace.yaml";
    expect(() => projectFromYaml(YAML.replace(", start: 2026-01-01", ""), file)).toThrow(/partition_by\.start/);
    const withSla = (sla: string) => projectFromYaml(YAML.replace("    tasks: [ingest, transform]", `    tasks: [ingest, transform]\n    sla: ${sla}`), file).config.pipelines!.daily.sla;
    expect(withSla('"2h"')).toBe(7_200_000);
    expect(withSla('{ deadline: "0 9 * * *", timezone: Europe/Paris }')).toEqual({ deadline: "0 9 * * *", timezone: "Europe/Paris" });
    expect(() => projectFromYaml(YAML.replace("    tasks: [ingest, transform]", '    tasks: [ingest, transform]\n    sla: "soon"'), file)).toThrow(/sla[\s\S]*"soon" is not a duration/);
    expect(() => projectFromYaml(YAML.replace("    tasks: [ingest, transform]", '    tasks: [ingest, transform]\n    sla: { deadline: "every morning" }'), file)).toThrow(/sla\.deadline[\s\S]*not a cron expression/);
  });
});
