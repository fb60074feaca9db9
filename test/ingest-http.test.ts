// Streaming ingest over HTTP while serving: NDJSON micro-batches into bronze behind the API token, bounded,
// idempotent by Idempotency-Key, malformed lines quarantined — then the next pipeline run builds on them.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample, millrace, startServe } from "./cli.js";

describe("POST /ingest/<source>", () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  afterAll(() => server?.proc.kill("SIGTERM"));

  it("appends pushed records to bronze, safely", async () => {
    const dir = copyExample("churn");
    expect(millrace(["run", dir, "--json"]).code).toBe(0);
    server = await startServe(dir, { MILLRACE_API_TOKEN: "s3cret" });
    const url = `${server.url}/ingest/customers`;
    const lines = fs.readFileSync(path.join(dir, "data/landing/customers-2026-01.csv"), "utf8").trim().split("\n");
    const header = lines[0].split(",").map((h) => h.replaceAll('"', ""));
    const rows = lines.slice(1, 51).map((l, i) => {
      const cells = l.split(",");
      const rec: Record<string, unknown> = {};
      header.forEach((h, j) => (rec[h] = cells[j].startsWith('"') ? cells[j].replaceAll('"', "") : cells[j] === "" ? null : Number(cells[j])));
      return { ...rec, customer_id: `P${i}`, snapshot_date: "2026-05-01" };
    });
    const body = rows.map((r) => JSON.stringify(r)).join("\n") + '\n{"customer_id": "broken",\n[1,2]\n';
    const ndjson = { "content-type": "application/x-ndjson" };
    const auth = { authorization: "Bearer s3cret" };

    expect((await fetch(url, { method: "POST", headers: ndjson, body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", headers: { ...ndjson, authorization: "Bearer nope" }, body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", headers: { ...auth, "content-type": "text/csv" }, body })).status).toBe(415);
    expect((await fetch(`${server.url}/ingest/nosuch`, { method: "POST", headers: { ...ndjson, ...auth }, body })).status).toBe(404);
    // Over the limit but under serve's drain limit: the server reads the body out before its 413, so the client
    // always gets the answer (a broken pipe here is a failure, not a pass).
    const big = await fetch(url, { method: "POST", headers: { ...ndjson, ...auth }, body: "x".repeat(11 * 1024 * 1024) }).catch((e) => e);
    expect(big, String(big)).toBeInstanceOf(Response);
    expect((big as Response).status).toBe(413);

    const ok = await fetch(url, { method: "POST", headers: { ...ndjson, ...auth, "idempotency-key": "batch-1" }, body });
    expect(ok.status).toBe(200);
    const r = (await ok.json()) as any;
    expect(r).toMatchObject({ table: "bronze.customers", version: 2, rowsIn: 52, rowsOut: 50, rowsQuarantined: 2 });
    const again = (await (await fetch(url, { method: "POST", headers: { ...ndjson, ...auth, "idempotency-key": "batch-1" }, body })).json()) as any;
    expect(again.version).toBeNull();
    // A push of which not one line reads stores nothing: a 422 with the lines' reasons, and no new version.
    const refused = await fetch(url, { method: "POST", headers: { ...ndjson, ...auth }, body: '{"customer_id": "broken",\n[1,2]\n' });
    expect(refused.status).toBe(422);
    const why = (await refused.json()) as any;
    expect(why).toMatchObject({ error: "validation_error", version: null, rowsOut: 0, rowsQuarantined: 0 });
    expect(why.reasons.map((x: any) => x.line)).toEqual([1, 2]);

    const history = millrace(["history", "bronze.customers", "-p", dir, "--json"]).json;
    expect(history.map((h: any) => h.version)).toEqual([1, 2]);
    const q = millrace(["query", "select line, reason from bronze.customers__quarantine where reason like 'invalid JSON%' or reason like 'not a JSON object%' order by line", "-p", dir, "--json"]);
    expect(q.json?.map((x: any) => x.line), q.out).toEqual([51, 52]);
    // The next pipeline run builds on the pushed rows.
    const run = millrace(["run", dir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.tables.find((t: any) => t.table === "silver.customers").rows).toBe(7093);
  });
});
