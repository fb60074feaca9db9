// POST /ingest over real HTTP with the JSON that once sent ingest into an endless loop (issue 9): lone surrogates in
// values and keys, NUL in keys, plus invalid JSON, non-objects, duplicate keys and deep nesting, mixed with good lines.
// Bars: every request answers within its timeout, never with a 5xx; every good line lands once, every bad line is
// quarantined (nothing lost, nothing duplicated); no temp file is left behind.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lake } from "../lake/lake.js";
import { Rng } from "../learn/rng.js";
import type { RunningServer } from "../serve/server.js";
import type { IngestRoute } from "./ingest-route.js";
import { pushProject, startPushServer } from "./test-helpers/push-server.js";

const TOKEN = "fuzz-secret-1";

/** Lines JSON.parse accepts or refuses that must be quarantined, never loaded and never hang the lake. */
const BAD: ((i: number) => string)[] = [
  (i) => `{"id":${i},"kind":"\\ud800"}`,
  (i) => `{"id":${i},"kind":"\\udc00x"}`,
  (i) => `{"id":${i},"x\\u0000y":1}`,
  (i) => `{"id":${i},"\\ud83d":1}`,
  (i) => `{"id":${i},"nested":{"deep":"\\udfff"}}`,
  (i) => `{"id":${i},"kind":`,
  () => `[1,2,3]`,
  () => `42`,
  () => `"just a string"`,
  () => `null`,
];

function tempFiles(): number {
  return fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("millrace-records-") || f.startsWith("millrace-pg-") || f.startsWith("millrace-salvage")).length;
}

describe("push ingest under hostile JSON", () => {
  let server: RunningServer;
  let route: IngestRoute;
  let dir: string;
  beforeAll(async () => {
    dir = pushProject("  - name: events\n    schema_policy: add_columns");
    ({ server, route } = await startPushServer(dir, TOKEN));
  });
  afterAll(async () => {
    await server.close();
    await route.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers every request in time without a 5xx, lands every good line once and quarantines every bad one", async () => {
    const before = tempFiles();
    const rng = new Rng(9);
    const statuses = new Map<number, number>();
    let good = 0;
    let bad = 0;
    let id = 0;
    for (let req = 0; req < 40; req++) {
      const lines: string[] = [];
      for (let j = 0; j < 25; j++) {
        if (rng.next() < 0.3) {
          lines.push(BAD[Math.floor(rng.next() * BAD.length)](id++));
          bad++;
        } else {
          lines.push(JSON.stringify({ id: id++, kind: rng.next() < 0.5 ? "click" : "view", v: Math.round(rng.next() * 100) / 10 }));
          good++;
        }
      }
      const res = await fetch(`${server.url}/ingest/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" },
        body: lines.join("\n") + "\n",
        signal: AbortSignal.timeout(20_000),
      });
      await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    const lake = await Lake.open(path.join(dir, ".millrace/lake"));
    try {
      const [{ n, d }] = await lake.query("SELECT count(*) AS n, count(DISTINCT id) AS d FROM bronze.events");
      expect(Number(n)).toBe(good);
      expect(Number(d)).toBe(good);
      const [{ q }] = await lake.query("SELECT count(*) AS q FROM bronze.events__quarantine");
      expect(Number(q)).toBe(bad);
      const reasons = await lake.query("SELECT count(*) AS n FROM bronze.events__quarantine WHERE reason IS NULL OR reason = ''");
      expect(Number(reasons[0].n)).toBe(0);
    } finally {
      await lake.close();
    }
    expect(tempFiles()).toBe(before);
    const scratch = path.join(dir, ".millrace/lake/tables/bronze/events/_tmp");
    expect(fs.existsSync(scratch) ? fs.readdirSync(scratch) : []).toEqual([]);
    console.log(`ingest fuzz over HTTP: 40 requests, ${good} good and ${bad} bad lines, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 180_000);
});
