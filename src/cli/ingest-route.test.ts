// POST /ingest/<source> over real HTTP into a real lake: the push follows the source's schema policy (fail unless
// millrace.yaml says otherwise), so an unknown field or a wrong type is a 400 naming line and field, and nothing lands.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lake } from "../lake/lake.js";
import { loadProject } from "../project/load-project.js";
import type { RunningServer } from "../serve/server.js";
import { pushSchemaPolicies } from "../app/ingest-check.js";
import type { IngestRoute } from "./ingest-route.js";
import { pushProject, startPushServer } from "./test-helpers/push-server.js";

const TOKEN = "ingest-secret-1";

describe("push ingest and the schema policy", () => {
  let server: RunningServer;
  let route: IngestRoute;
  let dir: string;
  beforeAll(async () => {
    dir = pushProject(["  - name: orders", "  - name: events", "    schema_policy: add_columns", "  - name: accounts", "    key: [id]"].join("\n"));
    ({ server, route } = await startPushServer(dir, TOKEN));
  });
  afterAll(async () => {
    await server.close();
    await route.close();
  });

  const push = async (source: string, lines: unknown[]) => {
    const res = await fetch(`${server.url}/ingest/${source}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" },
      body: lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n",
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const versions = async (table: string) => {
    const lake = await Lake.open(path.join(dir, ".millrace/lake"));
    try {
      return (await lake.history(table)).length;
    } finally {
      await lake.close();
    }
  };

  it("reads the policy from millrace.yaml: fail unless the source spells one out", () => {
    const p = pushSchemaPolicies(loadProject(dir));
    expect(Object.fromEntries(p)).toEqual({ orders: "fail", events: "add_columns", accounts: "fail" });
  });

  it("refuses an unknown field, a wrong type and a missing column with a 400 naming line and field; nothing is committed", async () => {
    const first = await push("orders", [{ id: 1, amount: 9.5, customer: "a", paid: true, day: "2026-01-02" }, { id: 2, amount: 3, customer: "b", paid: false, day: "2026-01-03" }]);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 1, rowsOut: 2 });

    const good = { id: 3, amount: 1.25, customer: "c", paid: true, day: "2026-01-04" };
    const unknown = await push("orders", [good, { ...good, id: 4, contract: "One year" }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: "validation_error", path: "contract", line: 2, message: expect.stringContaining('"contract" is not a column of bronze.orders') });

    const wrongType = await push("orders", [{ ...good, amount: "lots" }]);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ path: "amount", line: 1, message: expect.stringContaining('amount must be a number (the column is DOUBLE), got string "lots"') });

    const fraction = await push("orders", [{ ...good, id: 4.5 }]);
    expect(fraction.body).toMatchObject({ path: "id", message: expect.stringContaining("an integer") });
    const renamed = await push("orders", [{ ...good, ID: 5 }]);
    expect(renamed.body).toMatchObject({ path: "ID" });
    const missing = await push("orders", [{ id: 6, amount: 1, customer: "d", paid: true }]);
    expect(missing.body).toMatchObject({ path: "day", message: expect.stringContaining("day is missing") });
    expect(await versions("bronze.orders")).toBe(1);
  });

  it("accepts nulls and typed values under fail (a column null in the whole batch is not a type change)", async () => {
    const ok = await push("orders", [{ id: 7, amount: null, customer: null, paid: null, day: null }, "not json at all"]);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ rowsIn: 2, rowsOut: 1, rowsQuarantined: 1 });
    const lake = await Lake.open(path.join(dir, ".millrace/lake"));
    try {
      const cur = await lake.current("bronze.orders");
      expect(cur?.schema.filter((c) => !c.name.startsWith("_")).map((c) => `${c.name} ${c.type}`)).toEqual(["id BIGINT", "amount DOUBLE", "customer VARCHAR", "paid BOOLEAN", "day DATE"]);
    } finally {
      await lake.close();
    }
  });

  it("lets a keyed source's pushes carry the delete marker, and a deletion only the key", async () => {
    expect((await push("accounts", [{ id: 1, plan: "basic" }, { id: 2, plan: "pro" }])).status).toBe(200);
    const upsert = await push("accounts", [{ id: 1, plan: "pro", _deleted: false }, { id: 2, _deleted: true }]);
    expect(upsert.status).toBe(200);
    expect((await push("accounts", [{ id: 3, _deleted: "yes" }])).body).toMatchObject({ path: "_deleted", line: 1 });
    expect((await push("accounts", [{ id: 3, _deleted: false }])).body).toMatchObject({ path: "plan", message: expect.stringContaining("plan is missing") });
  });

  it("lets a source whose policy is add_columns take a new field", async () => {
    expect((await push("events", [{ id: 1, kind: "click" }])).status).toBe(200);
    const added = await push("events", [{ id: 2, kind: "view", extra: 5 }]);
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ version: 2, rowsOut: 1 });
  });
});
