import { describe, expect, it } from "vitest";
import { loggedRecords, recordsFromColumns, recordsFromTensors } from "./v2-tensors.js";

describe("V2 tensors → records", () => {
  it("builds one record per row from [n] and [n, 1] tensors, in tensor order, values as sent", () => {
    const inputs = [
      { name: "tenure", datatype: "INT64", shape: [3], data: [1, 2, 3] },
      { name: "contract", datatype: "BYTES", shape: [3, 1], data: [["a"], ["b"], [null]] },
      { name: "flag", datatype: "BOOL", shape: [3], data: [true, false, true] },
    ];
    expect(recordsFromTensors(inputs)).toEqual([
      { tenure: 1, contract: "a", flag: true },
      { tenure: 2, contract: "b", flag: false },
      { tenure: 3, contract: null, flag: true },
    ]);
  });

  it("refuses what is not a list of equal-length named tensors (null: the reader skips the line)", () => {
    for (const bad of [undefined, null, [], {}, [null], [{ data: [1] }], [{ name: "a" }], [{ name: "a", data: [1, 2] }, { name: "b", data: [1] }]]) {
      expect(recordsFromTensors(bad)).toBeNull();
    }
  });

  it("keeps __proto__ as a plain assignment, as the V2 route's generic loop does", () => {
    const [r] = recordsFromColumns(["__proto__", "a"], [[{ x: 1 }], [2]], 1);
    expect(r.a).toBe(2);
    expect(Object.keys(r)).toEqual(["a"]);
  });

  it("reads a logged request body of either route", () => {
    expect(loggedRecords({ records: [{ a: 1 }] })).toEqual([{ a: 1 }]);
    expect(loggedRecords({ inputs: [{ name: "a", shape: [2], data: [1, 2] }], id: "x" })).toEqual([{ a: 1 }, { a: 2 }]);
    expect(loggedRecords({ records: "no" })).toBeNull();
    expect(loggedRecords(null)).toBeNull();
    expect(loggedRecords({})).toBeNull();
  });
});
