// The table lock: an empty lock file (a writer killed between creating and filling it) is reclaimed once it is
// older than any write of a few bytes takes; a young one is still treated as held.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TableLockedError, TORN_LOCK_MS, withTableLock } from "./table-lock.js";
import { useTempLakes } from "./test-helpers/tmp-lake.js";

const { fresh } = useTempLakes();

describe("table lock", () => {
  it("reclaims an empty lock file left by a killed writer, and waits on one being written", async () => {
    const { lake } = await fresh();
    const lock = path.join(lake.root, "tables/bronze/e/_lock");
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, "");
    await expect(withTableLock(lake.root, "bronze.e", async () => 1, { timeoutMs: 300 })).rejects.toThrow(TableLockedError);
    const past = (Date.now() - TORN_LOCK_MS - 5_000) / 1000;
    fs.utimesSync(lock, past, past);
    const t0 = Date.now();
    expect(await withTableLock(lake.root, "bronze.e", async () => 42, { timeoutMs: 5_000 })).toBe(42);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(fs.existsSync(lock)).toBe(false);
    expect((await lake.ingestRecords("bronze.e", [{ a: 1 }])).rowsOut).toBe(1);
  });
});
