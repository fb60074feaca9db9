// Tests of pushes to a keyed source: through POST /ingest/<source> (the Hono app, a real lake) a record for an
// existing key replaces its row, `_deleted` removes it, a repeated Idempotency-Key adds nothing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pushSchemaPolicies } from "../../app/ingest-check.js";
import { ingestRoute } from "../../cli/ingest-route.js";
import { projectFromYaml } from "../../project/load-project.js";
import { createApp } from "../../serve/app.js";
import { Lake } from "../lake.js";
import { useTempLakes } from "../test-helpers/tmp-lake.js";
import { ingestKeyedNdjson } from "./push-keyed.js";

const { fresh } = useTempLakes();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe("pushes to a keyed source", () => {
  it("upsert by key, delete by flag, and skip a repeated batch id (lake level)", async () => {
    const { lake } = await fresh();
    const push = (lines: object[], batchId?: string) =>
      ingestKeyedNdjson(lake, "bronze.orders", lines.map((l) => JSON.stringify(l)).join("\n") + "\n", { key: ["id"], schemaPolicy: "add_columns", ...(batchId ? { batchId } : {}) });
    expect((await push([{ id: 1, s: "new" }, { id: 2, s: "new" }])).changes).toEqual({ inserted: 2, updated: 0, deleted: 0, unchanged: 0 });
    expect((await push([{ id: 1, s: "paid" }, { id: 2, _deleted: true }], "b1")).changes).toEqual({ inserted: 0, updated: 1, deleted: 1, unchanged: 0 });
    const again = await push([{ id: 1, s: "paid" }, { id: 2, _deleted: true }], "b1");
    expect(again.version).toBeNull();
    expect(await lake.query("SELECT id, s FROM bronze.orders")).toEqual([{ id: 1, s: "paid" }]);
    // A batch of which no line reads writes no version and is not remembered: fixed, it goes in under the same id.
    const versions = (await lake.history("bronze.orders")).length;
    const raw = (text: string, batchId: string) => ingestKeyedNdjson(lake, "bronze.orders", text, { key: ["id"], schemaPolicy: "add_columns", batchId });
    const refused = await raw("{not json\n[1,2]\n", "bad1");
    expect(refused.version).toBeNull();
    expect(refused.notCommitted).toMatch(/none of the 2 records could be read/);
    expect((await lake.history("bronze.orders")).length).toBe(versions);
    const fixed = await raw(`${JSON.stringify({ id: 3, s: "new" })}\n`, "bad1");
    expect(fixed.changes.inserted).toBe(1);
  });

  it("POST /ingest/<keyed source> upserts instead of appending a second row for a key", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-push-keyed-"));
    closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const yaml = `name: p
sources:
  - name: orders
    key: [id]
    schema_policy: add_columns
dataset: { table: bronze.orders, target: s, task: binary }
train: { candidates: [{ name: lr, model: logistic_regression }] }
registry: { model: p }
`;
    fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml);
    const project = projectFromYaml(yaml, path.join(dir, "millrace.yaml"));
    const route = ingestRoute(project, { maxBodyBytes: 1 << 20, sources: pushSchemaPolicies(project) });
    closers.push(() => route.close());
    const app = createApp({ models: { current: () => null } as never, token: "t", mount: (hono, guard) => route.mount(hono, guard) });
    const post = async (lines: object[]) => {
      const res = await app.fetch(new Request("http://localhost/ingest/orders", {
        method: "POST", headers: { authorization: "Bearer t", "content-type": "application/x-ndjson" }, body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
      }));
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await post([{ id: 1, s: "new" }, { id: 2, s: "new" }])).status).toBe(200);
    expect((await post([{ id: 1, s: "paid" }, { id: 3, s: "new" }])).status).toBe(200);
    await route.close();
    const lake = await Lake.open(path.join(dir, ".millrace/lake"));
    try {
      expect(await lake.query("SELECT id, s FROM bronze.orders ORDER BY id")).toEqual([{ id: 1, s: "paid" }, { id: 2, s: "new" }, { id: 3, s: "new" }]);
    } finally {
      await lake.close();
    }
  });
});
