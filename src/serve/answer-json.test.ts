// answersJson must spell every answer exactly as JSON.stringify does.
import { describe, expect, it } from "vitest";
import { answersJson, idsJson } from "./answer-json.js";
import { predictionId } from "./score.js";

describe("answersJson", () => {
  it("equals JSON.stringify on answers and on awkward values", () => {
    const cases: unknown[][] = [
      [],
      [{ label: "No", probabilities: { No: 0.8123456789, Yes: 0.1876543211 } }],
      [{ value: 1.5e-300 }, { value: -0 }, { value: NaN }, { value: Infinity }, { value: 1e21 }],
      [{ label: 'a"b\\c\n\u2028\ud800', probabilities: { "é": 1, "2": 0.5, "1": 0.25, __proto__x: 3 } }],
      [{ a: undefined, b: () => 1, c: Symbol("s"), d: null, e: true, f: false, g: [1, undefined, () => 1], h: new Date(0) }],
      [Object.assign(Object.create(null), { label: "x" }), Object.create({ inherited: 1 }), { toJSON: () => "j" }],
      [null, undefined, 3, "s", [1, [2]], { nested: { deeper: { x: 1 } } }],
      [new Number(3), new String("s"), new Boolean(false), new Map([[1, 2]])],
    ];
    for (const c of cases) expect(answersJson(c)).toBe(JSON.stringify(c));
    for (let t = 0; t < 200; t++) {
      const a = Array.from({ length: 1 + (t % 7) }, () => ({ label: Math.random() < 0.5 ? "Yes" : "No", probabilities: { No: Math.random(), Yes: Math.random() * 1e-9 } }));
      expect(answersJson(a)).toBe(JSON.stringify(a));
    }
  });

  it("ids", () => {
    const ids = Array.from({ length: 5 }, predictionId);
    expect(idsJson(ids)).toBe(JSON.stringify(ids));
    expect(idsJson([])).toBe("[]");
  });
});
