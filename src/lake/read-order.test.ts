// A sorted read gives the same rows in the same order whatever order the table's files hold them in.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Lake } from "./lake.js";

describe("Lake.readFrame sorted", () => {
  it("is independent of the physical row order", async () => {
    const lake = await Lake.open(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-order-")));
    const rows = "SELECT * FROM (VALUES (3, 'c'), (1, NULL), (2, 'b'), (1, 'a'), (NULL, 'z')) t(n, s)";
    const a = (await lake.materialize("silver.a", `${rows} ORDER BY n DESC NULLS FIRST`, { parents: [] })).version;
    const b = (await lake.materialize("silver.b", `${rows} ORDER BY s`, { parents: [] })).version;
    const fa = await lake.readFrame(a, { sorted: true });
    const fb = await lake.readFrame(b, { sorted: true });
    expect(Array.from(fa.columns[0].values as Float64Array)).toEqual(Array.from(fb.columns[0].values as Float64Array));
    expect(fa.columns[1].values).toEqual(fb.columns[1].values);
    expect(fa.columns[1].values).toEqual(["z", null, "a", "b", "c"]);
    // Unsorted reads keep file order.
    expect((await lake.readFrame(b)).columns[1].values).toEqual(["a", "b", "c", "z", null]);
    await lake.close();
  });
});
