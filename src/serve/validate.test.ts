// The fast record check must agree with the zod schema it shortcuts: same acceptance, same normalized record.
import { describe, expect, it } from "vitest";
import type { Signature } from "../records.js";
import { churnSignature, goodRecord } from "./test-helpers/logistic.js";
import { compileFastCheck, formatPath, recordSchema } from "./validate.js";
import { rng } from "./test-helpers/rng.js";

const withTimestamp: Signature = { ...churnSignature, inputs: [...churnSignature.inputs, { name: "seen_at", type: "timestamp", nullable: true }] };
// A strict field of more categories than the check compares as literals (the rest are found in its set).
const manyCategories: Signature = { ...churnSignature, inputs: [...churnSignature.inputs, { name: "plan", type: "string", nullable: false, categories: ["a", "b", "c", "d", "e", "Two year"], strict: true }] };
const VALUES: unknown[] = [undefined, null, true, false, 0, -0, 1, -7, 1.5, 2 ** 53, 2 ** 53 + 2, 1e308, -1e-300, "", "x", "One year", "Two year", "Two yeaR", "e", "Month-to-month", "2024-01-02T03:04:05Z", "2024-13-45", [], {}, [1], { a: 1 }];

describe("compileFastCheck", () => {
  for (const sig of [churnSignature, withTimestamp, manyCategories]) {
    for (const extra of ["reject", "ignore"] as const) {
      it(`agrees with zod on 20,000 generated records (${sig.inputs.length} fields, extra fields ${extra})`, () => {
        const fast = compileFastCheck(sig, extra);
        const zod = recordSchema(sig, extra);
        const r = rng(sig.inputs.length * 7 + (extra === "reject" ? 1 : 2));
        let fastAccepted = 0;
        for (let i = 0; i < 20_000; i++) {
          const rec: Record<string, unknown> = sig === withTimestamp ? { ...goodRecord(), seen_at: "2024-01-01" } : sig === manyCategories ? { ...goodRecord(), plan: "e" } : goodRecord();
          const n = Math.floor(r() * 3);
          for (let k = 0; k < n; k++) {
            const key = r() < 0.9 ? sig.inputs[Math.floor(r() * sig.inputs.length)].name : ["extra", "__proto__", "constructor"][Math.floor(r() * 3)];
            const v = VALUES[Math.floor(r() * VALUES.length)];
            if (v === undefined && r() < 0.5) delete rec[key];
            else rec[key] = v;
          }
          const input = JSON.parse(JSON.stringify(rec)) as unknown;
          const f = fast(input);
          const z = zod.safeParse(input);
          if (f !== null) {
            fastAccepted++;
            expect(z.success, JSON.stringify(input)).toBe(true);
            expect(f).toEqual(z.data);
          }
          // The shortcut must take every record without extras that zod takes (else it is no shortcut).
          if (z.success && Object.keys(input as object).every((k) => sig.inputs.some((s) => s.name === k))) expect(f, JSON.stringify(input)).not.toBeNull();
        }
        expect(fastAccepted).toBeGreaterThan(3000);
      });
    }
  }

  it("keeps hostile field names as plain data (no prototype change, no code injection)", () => {
    const sig: Signature = {
      inputs: [
        { name: 'a"b\\c`${x}', type: "string", nullable: true },
        { name: "constructor", type: "boolean", nullable: true },
      ],
      output: { task: "regression" },
    };
    // (A nullable field named "constructor" must be sent: zod, like a plain read, sees Object.prototype.constructor.)
    const input = JSON.parse('{"a\\"b\\\\c`${x}": "y", "constructor": null}') as unknown;
    const out = compileFastCheck(sig, "reject")(input);
    expect(out).toEqual(recordSchema(sig).parse(input));
    expect(Object.keys(out!)).toEqual(['a"b\\c`${x}', "constructor"]);
    // zod drops a "__proto__" field from its output; the fast check keeps it as a plain property.
    const proto = compileFastCheck({ inputs: [{ name: "__proto__", type: "number", nullable: false }], output: { task: "regression" } }, "reject");
    const p = proto(JSON.parse('{"__proto__": 3}'))!;
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(p, "__proto__")?.value).toBe(3);
  });

  it("formats paths the way the errors print them", () => {
    expect(formatPath(["records", 3, "tenure"])).toBe("records[3].tenure");
    expect(formatPath([0, "a", 1])).toBe("[0].a[1]");
  });
});
