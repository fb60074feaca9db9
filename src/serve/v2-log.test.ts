// A KServe V2 request is logged as the body it arrived in ({"inputs": [tensors]}) and read back — by the NDJSON reader
// (drift, feedback, `millrace log`) and after compaction to Parquet — as the same rows as the equivalent /predict request.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compactVersion } from "../monitor/log-compact.js";
import { readLoggedFrame, readPredictions } from "../monitor/log-reader.js";
import { PredictionLog } from "../monitor/prediction-log.js";
import type { Prediction } from "../records.js";
import { createApp } from "./app.js";
import { startServer } from "./server.js";
import { churnModel, churnSignature } from "./test-helpers/logistic.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "millrace-v2-log-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const contracts = ["Month-to-month", "One year", "Two year"];
/** Record i; every third has no total_charges (sent as null) and no payment_method (left out). */
const record = (i: number): Record<string, unknown> => ({
  tenure: i % 72,
  monthly_charges: 20 + (i % 50) * 1.25,
  total_charges: i % 3 === 0 ? null : i * 10.5,
  contract: contracts[i % 3],
  paperless_billing: i % 2 === 0,
});

/** The same records as V2 column tensors; `withTotal` false sends no total_charges tensor at all (nullable). */
function v2Body(records: Record<string, unknown>[], withTotal: boolean, nested: boolean): string {
  const n = records.length;
  const col = (name: string, datatype: string) => ({ name, datatype, shape: nested ? [n, 1] : [n], data: records.map((r) => (nested ? [r[name]] : r[name])) });
  const inputs = [col("tenure", "INT64"), col("monthly_charges", "FP64"), ...(withTotal ? [col("total_charges", "FP64")] : []), col("contract", "BYTES"), col("paperless_billing", "BOOL")];
  // Pretty-printed: the log keeps its line one line.
  return JSON.stringify({ id: "req-1", inputs }, null, n === 1 ? 2 : undefined);
}

/** Ids, times and latencies differ between two requests; null and absent mean the same in a logged record. */
const rowOf = (p: Prediction) => ({ inputs: Object.fromEntries(Object.entries(p.inputs).filter(([, v]) => v !== null && v !== undefined)), output: p.output, alias: p.alias });

async function logged(send: (path: string, body: string) => Promise<Response>, path: string, body: string): Promise<string[]> {
  const res = await send(path, body);
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { ids?: string[]; parameters?: { prediction_ids: string[] } };
  return answer.ids ?? answer.parameters!.prediction_ids;
}

describe("a V2 request in the prediction log", () => {
  for (const via of ["node fast path", "Hono route"] as const) {
    it(`reads back (${via}) as the same rows as /predict: 1 and 1,000 records, a nullable field with no tensor`, async () => {
      const log = new PredictionLog({ dir, capacity: 1e6 });
      const app = createApp({ models: { current: () => churnModel(1) }, sink: log });
      const server = via === "node fast path" ? await startServer({ fetch: (q) => app.fetch(q), node: (q, s) => app.node(q, s) }, { port: 0 }) : await startServer({ fetch: (q) => app.fetch(q) }, { port: 0 });
      const send = (path: string, body: string) => fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
      const pairs: Array<[string[], string[]]> = [];
      try {
        for (const [n, withTotal, nested] of [[1, true, false], [1000, true, true], [1000, false, false], [3, false, true]] as const) {
          const records = Array.from({ length: n }, (_, i) => record(i));
          const predictRecords = withTotal ? records : records.map(({ total_charges: _, ...r }) => r);
          const viaPredict = await logged(send, "/predict", JSON.stringify({ records: predictRecords }));
          const viaV2 = await logged(send, "/v2/models/churn/infer", v2Body(records, withTotal, nested));
          pairs.push([viaPredict, viaV2]);
        }
      } finally {
        await server.close();
        await log.close();
      }
      const check = (ps: Prediction[]) => {
        const byId = new Map(ps.map((p) => [p.id, p]));
        for (const [a, b] of pairs) {
          expect(b).toHaveLength(a.length);
          for (let i = 0; i < a.length; i++) {
            const [p, q] = [byId.get(a[i]), byId.get(b[i])];
            expect(p).toBeDefined();
            expect(q).toBeDefined();
            expect(rowOf(q!)).toEqual(rowOf(p!));
          }
        }
        // The V2 rows carry the client's values: spot-check one that is not the first.
        expect(byId.get(pairs[1][1][7])!.inputs).toMatchObject({ tenure: 7, contract: "One year", total_charges: 73.5, paperless_billing: false });
        expect(byId.get(pairs[2][1][5])!.inputs.total_charges ?? null).toBeNull();
      };
      const fromNdjson = await readPredictions(dir, "churn", 1);
      expect(fromNdjson.skippedLines).toBe(0);
      expect(fromNdjson.predictions).toHaveLength(2 * (1 + 1000 + 1000 + 3));
      check(fromNdjson.predictions);
      const framed = await readLoggedFrame(dir, "churn", 1, { signature: churnSignature });
      expect(framed.skippedLines).toBe(0);

      const compacted = await compactVersion(join(dir, "churn", "1"));
      expect(compacted.skippedLines).toBe(0);
      const fromParquet = await readPredictions(dir, "churn", 1);
      expect(fromParquet.predictions).toHaveLength(fromNdjson.predictions.length);
      check(fromParquet.predictions);
      const framedAfter = await readLoggedFrame(dir, "churn", 1, { signature: churnSignature });
      expect(framed.rowCount).toBe(2 * (1 + 1000 + 1000 + 3));
      expect(framedAfter.rowCount).toBe(framed.rowCount);
      expect(framedAfter.columns).toEqual(framed.columns);
    });
  }
});
