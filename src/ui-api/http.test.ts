// Query parsing of the dashboard API: metric filters as the CLI writes them, and errors naming the parameter.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors.js";
import { RequestTimeoutError } from "../serve/http-errors.js";
import { choiceParam, handle, intParam, parseWhere } from "./http.js";

describe("metric filters", () => {
  it("parses one or several conditions with any spacing and number form", () => {
    expect(parseWhere("roc_auc>0.8")).toEqual([{ key: "roc_auc", op: ">", value: 0.8 }]);
    expect(parseWhere(" log_loss <= .45 , cv_f1_mean>=1e-1,n=3 ")).toEqual([
      { key: "log_loss", op: "<=", value: 0.45 }, { key: "cv_f1_mean", op: ">=", value: 0.1 }, { key: "n", op: "=", value: 3 },
    ]);
    expect(parseWhere("")).toEqual([]);
    expect(parseWhere(" , ")).toEqual([]);
  });

  it("refuses what is not metric<op>number, naming the part", () => {
    for (const bad of ["auc is high", "roc_auc>", ">0.8", "roc_auc=>0.8", "roc_auc>0.8.1", "1x>2", "roc_auc>NaN"]) {
      expect(() => parseWhere(bad), bad).toThrow(/metric<op>number/);
    }
    expect(() => parseWhere("roc_auc>0.8, junk")).toThrow(/"junk"/);
  });
});

describe("query parameters and error responses", () => {
  const app = new Hono();
  const logged: string[] = [];
  app.get("/n", handle(async (c) => ({ n: intParam(c, "n", 7, 1, 10), order: choiceParam(c, "order", ["asc", "desc"] as const) ?? null }), (l) => logged.push(l)));
  app.get("/boom", handle(async () => { throw new Error("disk on fire"); }, (l) => logged.push(l)));
  app.get("/late", handle(async () => { throw new RequestTimeoutError("took too long"); }, (l) => logged.push(l)));
  app.get("/bad", handle(async () => { throw new ValidationError("nope", { path: "q" }); }, (l) => logged.push(l)));

  it("takes defaults, bounds and choices, and answers 400 with the parameter's name", async () => {
    expect(await (await app.request("/n")).json()).toEqual({ n: 7, order: null });
    expect(await (await app.request("/n?n=10&order=asc")).json()).toEqual({ n: 10, order: "asc" });
    for (const q of ["n=0", "n=11", "n=2.5", "n=abc", "n=1e3"]) {
      const res = await app.request(`/n?${q}`);
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ error: "validation_error", path: "n", message: expect.stringContaining("n=") });
    }
    expect(await (await app.request("/n?order=up")).json()).toMatchObject({ path: "order", message: expect.stringContaining("asc, desc") });
  });

  it("turns an unexpected failure into a JSON 500 and logs it", async () => {
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: "internal_error", message: "disk on fire" });
    expect(logged).toEqual(["dashboard API GET /boom answered 500: disk on fire"]);
  });

  it("logs typed 5xx failures (a timeout) with their route too, but not a client's 4xx", async () => {
    logged.length = 0;
    expect((await app.request("/late")).status).toBe(503);
    expect((await app.request("/bad")).status).toBe(400);
    expect(logged).toEqual(["dashboard API GET /late answered 503: took too long"]);
  });
});
