// The SQLite store's row cache never serves a row another connection (another process) changed: a second store on
// the same file stands in for `millrace materialize` or a cluster worker writing while a server reads.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteOnlineStore } from "./sqlite-store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const pair = (cacheRows = 100) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-sqlite-online-"));
  dirs.push(dir);
  const file = path.join(dir, "online.db");
  return { server: new SqliteOnlineStore(file, "p", cacheRows), writer: new SqliteOnlineStore(file, "p", 0) };
};
const income = (s: SqliteOnlineStore, key: string) => s.getSync("profile", [key])[0]?.values.income ?? null;

describe("sqlite online store cache", () => {
  it("sees every write of another connection at the next lookup: update, insert of a missing key, removal", async () => {
    const { server, writer } = pair();
    await writer.put("profile", [{ key: "a", ts: 1, values: { income: 10 } }]);
    expect(income(server, "a")).toBe(10);
    expect(income(server, "b")).toBeNull(); // cached as missing
    await writer.put("profile", [{ key: "a", ts: 2, values: { income: 20 } }, { key: "b", ts: 2, values: { income: 5 } }]);
    expect(income(server, "a")).toBe(20);
    expect(income(server, "b")).toBe(5);
    await writer.remove("profile", ["a"]);
    expect(income(server, "a")).toBeNull();
    await writer.expire("profile", 3);
    expect(income(server, "b")).toBeNull();
    await server.close();
    await writer.close();
  });

  it("sees its own writes (which do not move data_version), per view, and answers past its capacity", async () => {
    const { server, writer } = pair(2);
    await server.put("profile", [1, 2, 3].map((i) => ({ key: `k${i}`, ts: i, values: { income: i } })));
    await server.put("spend", [{ key: "k1", ts: 1, values: { income: -1 } }]);
    expect([1, 2, 3, 1].map((i) => income(server, `k${i}`))).toEqual([1, 2, 3, 1]);
    await server.put("profile", [{ key: "k1", ts: 9, values: { income: 99 } }]);
    expect(income(server, "k1")).toBe(99);
    expect(server.getViewsSync(["profile", "spend"], [["k1", "k2"], ["k1", "k2"]]).map((rows) => rows.map((r) => r?.values.income ?? null))).toEqual([[99, 2], [-1, null]]);
    await server.remove("profile", ["k1"]);
    expect(income(server, "k1")).toBeNull();
    await server.close();
    await writer.close();
  });
});
