import { describe, expect, it } from "vitest";
import { Duck } from "../lake/duck.js";
import { compileExpression, expressionInputs, expressionSql, parseExpression } from "./expression.js";

describe("on-demand expressions", () => {
  it("parse with precedence and list their inputs", () => {
    expect(expressionInputs("a + b * -c / abs(d)")).toEqual(["a", "b", "c", "d"]);
    expect(compileExpression(parseExpression("1 + 2 * 3 - 8 / 4"))({})).toBe(5);
    expect(() => parseExpression("a +")).toThrow(/ends too early/);
    expect(() => parseExpression("sqrt(a)")).toThrow(/unknown function sqrt/);
    expect(() => parseExpression("a b")).toThrow(/unexpected "b"/);
  });

  it("give the same value in DuckDB SQL and in JS, nulls and zero divisors included", async () => {
    const duck = await Duck.open();
    const exprs = ["a / b", "(a - b) * 2.5 + -c", "coalesce(c, a) / (b - 1)", "least(a, b, c)", "greatest(a, 3) - abs(b)", "a / 3"];
    const rows = [
      { a: 1, b: 3, c: null }, { a: 0.1, b: 0, c: 7 }, { a: -5, b: 1, c: 2.5 }, { a: 1e300, b: 1e-10, c: 1 }, { a: null, b: 2, c: 3 },
    ];
    const values = rows.map((r) => `(${[r.a, r.b, r.c].map((v) => (v === null ? "NULL::DOUBLE" : `${v}::DOUBLE`)).join(", ")})`).join(", ");
    for (const text of exprs) {
      const e = parseExpression(text);
      const js = compileExpression(e);
      const sql = await duck.rows(`SELECT ${expressionSql(e, (n) => n)} AS v FROM (VALUES ${values}) t(a, b, c)`);
      rows.forEach((r, i) => expect([text, i, sql[i].v]).toEqual([text, i, js(r)]));
    }
    duck.close();
  });
});
