// Explanations on POST /predict through a real server: the body form ({"records":[…],"explain":true}, answered by the
// node fast path) and the query form (?explain=true, Hono) give the same answer; base + contributions + rest = the raw
// score of the answer (log-odds for a GBDT and a logistic regression, the value for a linear regression).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { churnModel, goodRecord } from "./test-helpers/logistic.js";
import type { LoggedAnswer, ServedModel } from "./types.js";
import { closeServers, explainableServed, logit, postJson, serveOne } from "./test-helpers/explainable.js";

interface Explained { output: string; scale: string; base: number; raw: number; rest: number; contributions: { feature: string; value: number }[] }
const records = [{ tenure: 3, plan: "a" }, { tenure: 60, plan: "c" }, { tenure: 25, plan: "b" }];
const sum = (e: Explained) => e.base + e.contributions.reduce((s, c) => s + c.value, 0);
afterAll(closeServers);

describe("POST /predict explanations", () => {
  let gbdt: Awaited<ReturnType<typeof serveOne>>;
  let served: ServedModel;
  beforeAll(async () => {
    served = await explainableServed("gbdt");
    gbdt = await serveOne(served);
  });

  it("the body field answers on the fast path what the query form answers; all contributions add up to the log-odds", async () => {
    const before = gbdt.fastHits();
    const body = await postJson(gbdt.server, "/predict", { records, explain: true, explain_top: 1 });
    expect([body.status, body.body.message]).toEqual([200, undefined]);
    expect(gbdt.fastHits()).toBe(before + 1);
    const query = await postJson(gbdt.server, "/predict?explain=true&explain_top=1", { records });
    expect(query.status).toBe(200);
    expect(query.body.explanations).toEqual(body.body.explanations);
    expect(query.body.predictions).toEqual(body.body.predictions);
    expect(body.body.ids).toHaveLength(3);
    body.body.explanations.forEach((per: Explained[]) => {
      expect(per[0].contributions).toHaveLength(1);
      expect(sum(per[0]) + per[0].rest).toBeCloseTo(per[0].raw, 9);
    });
    // Every contribution (top 10 of 2 columns): base + Σ = the raw score of the answer's probability.
    const all = await postJson(gbdt.server, "/predict", { records, explain: true });
    all.body.explanations.forEach((per: Explained[], i: number) => {
      const e = per[0];
      expect([e.output, e.scale, e.contributions.length, e.rest]).toEqual(["yes", "log-odds", 2, 0]);
      expect(Math.abs(sum(e) - e.raw)).toBeLessThan(1e-6);
      expect(Math.abs(e.raw - logit(all.body.predictions[i].probabilities.yes))).toBeLessThan(1e-6);
    });
    // explain: false, or no flag: the usual answer.
    const off = await postJson(gbdt.server, "/predict", { records, explain: false, explain_top: 3 });
    const plain = await postJson(gbdt.server, "/predict", { records });
    expect([off.status, off.body.explanations, plain.body.explanations]).toEqual([200, undefined, undefined]);
    expect(off.body.predictions).toEqual(all.body.predictions);
    expect(plain.body.predictions).toEqual(all.body.predictions);
  });

  it("explained answers are logged like any other (their ids join feedback)", async () => {
    const logged: LoggedAnswer[] = [];
    const app = createApp({ models: { current: () => served }, sink: { log: () => undefined, logRequest: (a) => void logged.push(a) } });
    for (const [query, body] of [["", { records, explain: true }], ["?explain=true", { records }]] as const) {
      const res = await app.fetch(new Request(`http://x/predict${query}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
      const answer = (await res.json()) as { ids: string[]; explanations: unknown[] };
      expect([res.status, answer.explanations.length]).toEqual([200, 3]);
      expect(logged.at(-1)!.ids).toEqual(answer.ids);
    }
    expect(logged).toHaveLength(2);
  });

  it("a logistic and a linear regression: base + Σ contributions = log-odds, value", async () => {
    for (const model of ["logistic_regression", "linear_regression"] as const) {
      const { server } = await serveOne(await explainableServed(model));
      const r = await postJson(server, "/predict", { records, explain: true, explain_top: 5 });
      expect([r.status, r.body.message]).toEqual([200, undefined]);
      r.body.explanations.forEach((per: Explained[], i: number) => {
        const e = per[0];
        const p = r.body.predictions[i];
        expect(Math.abs(sum(e) + e.rest - e.raw)).toBeLessThan(1e-6);
        expect(Math.abs(e.raw - (model === "linear_regression" ? p.value : logit(p.probabilities.yes)))).toBeLessThan(1e-6);
      });
    }
  });

  it("bad flag values, other fields and models that cannot explain are 400s naming the field", async () => {
    const one = [{ tenure: 3, plan: "a" }];
    const cases: Array<[string, unknown, string]> = [
      ["/predict", { records: one, explain: "yes" }, "explain"],
      ["/predict", { records: one, explain: 1 }, "explain"],
      ["/predict", { records: one, explain: true, explain_top: 0 }, "explain_top"],
      ["/predict", { records: one, explain: true, explain_top: 2.5 }, "explain_top"],
      ["/predict", { records: one, explain: true, explan: true }, "explan"],
      ["/predict", { records: one, explanation: true }, "explanation"],
      ["/predict?explain=yes", { records: one }, "explain"],
      ["/predict?explain=true&explain_top=0", { records: one }, "explain_top"],
      ["/predict?explain=false&explain_top=x", { records: one }, "explain_top"],
      ["/predict?explain_top=abc", { records: one }, "explain_top"],
    ];
    for (const [path, body, field] of cases) {
      const r = await postJson(gbdt.server, path, body);
      expect([path, JSON.stringify(body), r.status, r.body.path]).toEqual([path, JSON.stringify(body), 400, field]);
    }
    const { server } = await serveOne(churnModel(1));
    for (const path of ["/predict", "/predict?explain=true"]) {
      const r = await postJson(server, path, path === "/predict" ? { records: [goodRecord()], explain: true } : { records: [goodRecord()] });
      expect([r.status, r.body.path]).toEqual([400, "explain"]);
      expect(r.body.message).toContain("cannot explain");
    }
  });
});
