// The table lock: an empty lock file (a writer killed between creating and filling it) is reclaimed once it is
// older than any write of a few bytes takes; a young one is still treated as held.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEARTBEAT_STALE_MS } from "./lock-file.js";
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
    // Nothing else would ever remove this file: a lock not reclaimed fails here with TableLockedError after 5 s.
    expect(await withTableLock(lake.root, "bronze.e", async () => 42, { timeoutMs: 5_000 })).toBe(42);
    expect(fs.existsSync(lock)).toBe(false);
    expect((await lake.ingestRecords("bronze.e", [{ a: 1 }])).rowsOut).toBe(1);
  });

  it("treats a lock from another host as held while its heartbeat is fresh, and reclaims it once the heartbeat stops", async () => {
    const { lake } = await fresh();
    const lock = path.join(lake.root, "tables/bronze/h/_lock");
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    // No process 999999 runs here, but a pid from another host says nothing: only the heartbeat (the mtime) counts.
    fs.writeFileSync(lock, JSON.stringify({ pid: 999_999, host: "another-host.example", at: new Date().toISOString() }));
    await expect(withTableLock(lake.root, "bronze.h", async () => 1, { timeoutMs: 300 })).rejects.toThrow(/pid 999999 on another-host\.example/);
    const past = (Date.now() - HEARTBEAT_STALE_MS - 5_000) / 1000;
    fs.utimesSync(lock, past, past);
    expect(await withTableLock(lake.root, "bronze.h", async () => 7, { timeoutMs: 5_000 })).toBe(7);
  });

  it("keeps its own lock fresh while holding it (the heartbeat other hosts read)", async () => {
    const { lake } = await fresh();
    const lock = path.join(lake.root, "tables/bronze/k/_lock");
    const mtimes: number[] = [];
    await withTableLock(lake.root, "bronze.k", async () => {
      const old = (Date.now() - 60_000) / 1000;
      fs.utimesSync(lock, old, old);
      mtimes.push(fs.statSync(lock).mtimeMs);
      await new Promise((r) => setTimeout(r, 5_600));
      mtimes.push(fs.statSync(lock).mtimeMs);
    });
    expect(mtimes[1] - mtimes[0]).toBeGreaterThan(50_000);
  }, 20_000);
});

