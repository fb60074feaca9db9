// Tests of file-watch ingest: files are picked up as they arrive, each once, only after they stop growing.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { IngestResult } from "./ingest.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";
import { watchLanding } from "./watch.js";

const { fresh } = useTempLakes();
const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("watchLanding", () => {
  it("ingests new landing files once each, waiting for a growing file to settle", async () => {
    const { dir, lake } = await fresh();
    const landing = path.join(dir, "landing");
    fs.mkdirSync(landing);
    fs.writeFileSync(path.join(landing, "a.csv"), "k\n1\n");
    const results: IngestResult[] = [];
    const errors: unknown[] = [];
    const list = () => fs.readdirSync(landing).filter((f) => f.endsWith(".csv")).map((f) => path.join(landing, f));
    const w = watchLanding(lake, "bronze.w", { dir: landing, list, intervalMs: 50, settleMs: 1500, onIngest: (r) => results.push(r), onError: (e) => errors.push(e) });
    try {
      await until(() => results.length === 1);
      // A file written in pieces is read whole, after it stops changing.
      const b = path.join(landing, "b.csv");
      fs.writeFileSync(b, "k\n2\n");
      for (let i = 3; i <= 6; i++) {
        await new Promise((r) => setTimeout(r, 40));
        fs.appendFileSync(b, `${i}\n`);
      }
      await until(() => results.length === 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(results.length).toBe(2);
      expect(results[1].rowsOut).toBe(5);
      fs.writeFileSync(path.join(landing, "skip.txt"), "ignored");
      fs.writeFileSync(path.join(landing, "bad.csv"), "k\n7\nnot,a,row\n");
      await until(() => results.length === 3);
      expect(results[2]).toMatchObject({ rowsOut: 1, rowsBad: 1 });
    } finally {
      await w.stop();
    }
    expect(errors).toEqual([]);
    expect(await lake.query("SELECT sum(k) AS s, count(*) AS n FROM bronze.w")).toEqual([{ s: 28, n: 7 }]);
  });
});
