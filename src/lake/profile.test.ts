// Column profiles computed in bulk (many columns per scan) must equal the same statistics asked column by column.
import { describe, expect, it } from "vitest";
import { profileVersion } from "./profile.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { fresh } = useTempLakes();

describe("profiles in bulk", () => {
  it("match per-column queries for 150 columns (three batches), with NULLs, ties and a constant column", async () => {
    const { lake } = await fresh();
    const cols: string[] = [];
    for (let j = 0; j < 150; j++) {
      if (j % 3 === 0) cols.push(`CASE WHEN i % ${5 + (j % 7)} = 0 THEN NULL ELSE (i * ${j + 1}) % ${11 + j} END AS n${j}`);
      else if (j % 3 === 1) cols.push(`CASE WHEN i % 4 = 0 THEN NULL ELSE 'v' || ((i * ${j}) % ${3 + (j % 13)}) END AS s${j}`);
      else cols.push(`${j}.5::DOUBLE AS k${j}`);
    }
    await lake.materialize("silver.wide", `SELECT ${cols.join(", ")} FROM range(0, 500) t(i)`, { parents: [] });
    const p = await profileVersion(lake, { table: "silver.wide", version: (await lake.current("silver.wide"))!.version });
    expect(p.columns).toHaveLength(150);
    for (const c of p.columns) {
      const q = `"${c.name}"`;
      const [r] = await lake.query(`SELECT count(${q}) AS n, count(DISTINCT ${q}) AS d FROM silver.wide`);
      expect([c.count, c.distinct, c.nulls], c.name).toEqual([Number(r.n), Number(r.d), 500 - Number(r.n)]);
      if (c.name.startsWith("s")) {
        const top = await lake.query(`SELECT CAST(${q} AS VARCHAR) AS v, count(*) AS n FROM silver.wide GROUP BY 1 ORDER BY 2 DESC, 1 ASC NULLS LAST LIMIT 10`);
        expect(c.top, c.name).toEqual(top.map((t) => ({ value: t.v === null ? null : String(t.v), count: Number(t.n) })));
        expect(c.top!.some((t) => t.value === null)).toBe(true);
      } else {
        const [m] = await lake.query(`SELECT min(${q})::DOUBLE AS lo, max(${q})::DOUBLE AS hi, avg(${q})::DOUBLE AS mean FROM silver.wide`);
        expect([c.min, c.max], c.name).toEqual([m.lo, m.hi]);
        expect(c.mean).toBeCloseTo(Number(m.mean), 10);
        const lo = Number(m.lo);
        const width = Number(m.hi) > lo ? (Number(m.hi) - lo) / 10 : 1;
        const bins = await lake.query(`SELECT least(CAST(floor((${q}::DOUBLE - ${lo}) / ${width}) AS INTEGER), 9) AS b, count(*) AS n FROM silver.wide WHERE ${q} IS NOT NULL GROUP BY 1`);
        const counts = new Array<number>(10).fill(0);
        for (const b of bins) counts[Number(b.b)] += Number(b.n);
        expect(c.histogram!.counts, c.name).toEqual(counts);
      }
    }
  }, 60_000);
});
