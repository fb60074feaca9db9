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

  it("equals JSON.stringify on batches written by the shape's generated writer, whatever deviates from the shape", () => {
    const base = (i: number): Record<string, unknown> => ({ label: i % 2 ? "Yes" : "No", probabilities: { No: 1 / (i + 3), Yes: 1 - 1 / (i + 3) } });
    const odd: unknown[] = [
      { label: "No", probabilities: { Yes: 0.1, No: 0.9 } },
      { probabilities: { No: 0.9, Yes: 0.1 }, label: "No" },
      { label: "No", probabilities: { No: 0.9, Yes: 0.1 }, extra: 1 },
      { label: "No", probabilities: { No: 0.9 } },
      { label: undefined, probabilities: { No: 0.9, Yes: 0.1 } },
      { label: "No", probabilities: { No: NaN, Yes: -Infinity } },
      { label: "No", probabilities: { No: -0, Yes: 1e21 } },
      { label: 'q"\\\n\u2028\ud800', probabilities: { No: 0.5, Yes: 0.5 } },
      { label: 3, probabilities: { No: "0.9", Yes: true } },
      { label: "No", probabilities: null },
      { label: "No", probabilities: Object.assign(Object.create(null), { No: 0.9, Yes: 0.1 }) },
      { label: "No", probabilities: { No: 0.9, Yes: 0.1, toJSON: () => "j" } },
      Object.assign(Object.create({ inherited: 1 }), { label: "No", probabilities: { No: 0.9, Yes: 0.1 } }),
      null,
      "text",
      { value: 1.5 },
    ];
    for (let k = 0; k < odd.length; k++) {
      const list = [...Array.from({ length: 20 }, (_, i) => base(i)), odd[k], base(99)];
      expect(answersJson(list)).toBe(JSON.stringify(list));
    }
    const shapes: unknown[][] = [
      Array.from({ length: 30 }, (_, i) => ({ value: i / 7 })),
      Array.from({ length: 30 }, (_, i) => ({ "2": i, "1": "x", flag: i % 2 === 0 })),
      Array.from({ length: 30 }, (_, i) => ({ a: { b: { c: i } } })),
      Array.from({ length: 30 }, (_, i) => ({ a: [i] })),
    ];
    for (const list of shapes) expect(answersJson(list)).toBe(JSON.stringify(list));
    // Single answers after a learned shape (the last shape's writer is tried first), each odd one between two plain.
    for (let round = 0; round < 70; round++) {
      for (const o of [...odd, ...shapes.map((l) => l[round % 30])]) {
        for (const list of [[base(round)], [o], [base(round + 1), o]]) expect(answersJson(list)).toBe(JSON.stringify(list));
      }
    }
  });

  it("ids", () => {
    const ids = Array.from({ length: 5 }, predictionId);
    expect(idsJson(ids)).toBe(JSON.stringify(ids));
    expect(idsJson([])).toBe("[]");
  });
});
