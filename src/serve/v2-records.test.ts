// V2 tensors → records through the generated builder: the same records (keys, order, values) as assigning each field,
// for any tensor order, and the generic loop for names outside the signature.
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../records.js";
import { tensorsToRecords } from "./v2-infer.js";
import { recordBuilder } from "./v2-records.js";

const fields: FieldSpec[] = [
  { name: "tenure", type: "number", nullable: false },
  { name: "plan", type: "string", nullable: true },
  { name: "it's \"quoted\"", type: "number", nullable: true },
];

function body(names: string[]) {
  const data: Record<string, unknown[]> = { tenure: [1, 2.5, 3], plan: ["a", null, "c"], "it's \"quoted\"": [null, 7, 8], extra: [1, 2, 3], __proto__: [1, 2, 3] };
  return { inputs: names.map((name) => ({ name, shape: [3], datatype: "BYTES", data: data[name] })) };
}

function reference(names: string[]) {
  const b = body(names);
  return [0, 1, 2].map((i) => {
    const r: Record<string, unknown> = {};
    for (const t of b.inputs) r[t.name] = t.data[i];
    return r;
  });
}

describe("V2 record builder", () => {
  for (const names of [["tenure", "plan", "it's \"quoted\""], ["it's \"quoted\"", "tenure"], ["plan", "tenure"]]) {
    it(`tensors ${names.join(", ")}: the same records as field-by-field assignment, keys in tensor order`, () => {
      const { records } = tensorsToRecords(body(names), fields);
      expect(records).toEqual(reference(names));
      expect(records.map((r) => Object.keys(r))).toEqual(reference(names).map((r) => Object.keys(r)));
      expect(recordBuilder(names, fields)).not.toBeNull();
    });
  }
  it("a name outside the signature (or __proto__) takes the generic loop, and the validator still sees it", () => {
    expect(recordBuilder(["tenure", "extra"], fields)).toBeNull();
    expect(recordBuilder(["tenure", "__proto__"], fields)).toBeNull();
    expect(tensorsToRecords(body(["tenure", "extra"]), fields).records).toEqual(reference(["tenure", "extra"]));
  });
  it("after a request whose names were checked, the next one is still checked: a repeated name, a missing field, a new order", () => {
    const ok = ["tenure", "plan", "it's \"quoted\""];
    expect(tensorsToRecords(body(ok), fields).records).toEqual(reference(ok));
    // Same names then one more, repeated: named at its index.
    const twice = body(ok);
    twice.inputs.push({ ...twice.inputs[0] });
    expect(() => tensorsToRecords(twice, fields)).toThrow(/inputs\[3\]\.name tenure is given twice/);
    expect(tensorsToRecords(body(ok), fields).records).toEqual(reference(ok));
    // A prefix of the last names that lacks the required field; then a request that repeats a name mid-way.
    expect(tensorsToRecords(body(["plan", "tenure"]), fields).records).toEqual(reference(["plan", "tenure"]));
    expect(() => tensorsToRecords(body(["plan"]), fields)).toThrow(/no input tensor named tenure/);
    expect(() => tensorsToRecords(body(["plan", "plan"]), fields)).toThrow(/inputs\[1\]\.name plan is given twice/);
    expect(() => tensorsToRecords(body(["tenure", "tenure"]), fields)).toThrow(/inputs\[1\]\.name tenure is given twice/);
    expect(tensorsToRecords(body(ok), fields).records).toEqual(reference(ok));
  });
});
