// POST /api/models/{name}/{version}/predict with `"explain": true[, "explain_top": K]`: the dashboard's predict route
// reads the body as /predict does (serve/explain-request.ts): per record base + top-k contributions + rest = raw, the
// raw score the answer's probability comes from; bad explain fields are the same 400s naming the field.
import path from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { churnProject, type UiProject } from "../../test/ui-fixture.js";
import { loadProject } from "../project/load-project.js";
import { uiRoutes, type UiRoutes } from "./index.js";

/** Called as the route explains (the test of `ms` moves a fake clock there); nothing otherwise. */
const explaining = vi.hoisted(() => ({ hook: () => {} }));
vi.mock("../serve/explain-request.js", async (original) => {
  const m = await original<typeof import("../serve/explain-request.js")>();
  return {
    ...m,
    explainerOfPredictor: (...a: Parameters<typeof m.explainerOfPredictor>) => {
      const e = m.explainerOfPredictor(...a);
      return { ...e, explainRecords: (...r: Parameters<typeof e.explainRecords>) => (explaining.hook(), e.explainRecords(...r)) };
    },
  };
});

describe("dashboard predict with explanations", () => {
  const app = new Hono();
  const post = (url: string, body: unknown) => app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  let p: UiProject;
  let routes: UiRoutes | undefined;
  beforeAll(() => {
    p = churnProject();
    routes = uiRoutes(loadProject(p.dir), { uiDir: path.join(p.dir, "no-ui"), log: (l) => console.error(l) });
    routes.mount(app);
  }, 180_000);
  afterAll(() => routes?.close());

  it("answers the explanations /predict gives, adding up to the raw score of the probability answered", async () => {
    const v = p.summaries[0].model.version;
    const detail: any = await (await app.request(`/api/models/churn/${v}`)).json();
    const example = detail.version.inputExample;
    const res = await post(`/api/models/churn/${v}/predict`, { records: [example, { ...example, tenure: 2 }], explain: true, explain_top: 3 });
    const a: any = await res.json();
    expect(res.status, JSON.stringify(a).slice(0, 300)).toBe(200);
    expect(a.explanations).toHaveLength(2);
    const positive = detail.version.signature.output.positive;
    a.explanations.forEach((outputs: any[], i: number) => {
      expect(outputs.map((e) => e.output)).toEqual([positive]);
      const [e] = outputs;
      expect(e.contributions).toHaveLength(3);
      const names = detail.version.signature.inputs.map((f: any) => f.name);
      for (const c of e.contributions) expect(names).toContain(c.feature);
      const sum = e.base + e.contributions.reduce((s: number, c: any) => s + c.value, 0) + e.rest;
      expect(sum).toBeCloseTo(e.raw, 9);
      expect(e.scale).toBe("log-odds");
      expect(1 / (1 + Math.exp(-e.raw))).toBeCloseTo(a.predictions[i].probabilities[positive], 6);
    });
    // Without explain the answer is as before: no explanations.
    const plain: any = await (await post(`/api/models/churn/${v}/predict`, { records: [example] })).json();
    expect(plain).not.toHaveProperty("explanations");
    expect(plain.predictions[0]).toEqual(a.predictions[0]);
  });

  it("refuses bad explain fields as /predict does, naming the field", async () => {
    const v = p.summaries[0].model.version;
    const example = ((await (await app.request(`/api/models/churn/${v}`)).json()) as any).version.inputExample;
    for (const [body, field, message] of [
      [{ explain: "yes" }, "explain", /explain must be true or false/],
      [{ explain: true, explain_top: 0 }, "explain_top", /explain_top must be a whole number >= 1/],
      [{ explain_top: 2.5 }, "explain_top", /explain_top must be a whole number >= 1/],
      [{ explained: true }, "explained", /explained is not a known body field/],
    ] as const) {
      const res = await post(`/api/models/churn/${v}/predict`, { records: [example], ...body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "validation_error", path: field, message: expect.stringMatching(message) });
    }
  });

  it("counts the explaining in ms, as /predict's clock does", async () => {
    const v = p.summaries[0].model.version;
    const example = ((await (await app.request(`/api/models/churn/${v}`)).json()) as any).version.inputExample;
    await post(`/api/models/churn/${v}/predict`, { records: [example] }); // the model loaded, outside the clock
    let clock = 0;
    const now = vi.spyOn(performance, "now").mockImplementation(() => clock);
    explaining.hook = () => (clock += 1000); // explaining "takes" 1000 ms on the fake clock; nothing else moves it
    try {
      const a: any = await (await post(`/api/models/churn/${v}/predict`, { records: [example], explain: true })).json();
      expect(a.explanations).toHaveLength(1);
      expect(a.ms).toBe(1000);
    } finally {
      now.mockRestore();
      explaining.hook = () => {};
    }
  });
});
