// Single-record V2 bodies read from their bytes give the records the full path (JSON.parse, tensorsToRecords) gives,
// value for value (-0, exponents, long decimals included); any body that differs outside its values is not matched.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../records.js";
import { serveMetrics } from "./metrics.js";
import { answerPredict, answerPredictBytes, routeFor, type PredictCore } from "./predict.js";
import { parseJsonBytes } from "./body.js";
import { recordBuilder } from "./v2-records.js";
import { churnModel } from "./test-helpers/logistic.js";
import type { LoggedAnswer, ServedModel } from "./types.js";
import { answerV2, answerV2Bytes, tensorsToRecords, v2Route } from "./v2-infer.js";
import { learnRecordsTemplate, learnTemplate, readTemplate, recordBytes, type BodyTemplate } from "./body-template.js";
import { loggedRecords } from "../v2-tensors.js";

const fields: FieldSpec[] = [
  { name: "tenure", type: "integer", nullable: false },
  { name: "monthly_charges", type: "number", nullable: true },
  { name: "contract", type: "string", nullable: true },
  { name: "paperless", type: "boolean", nullable: true },
  { name: "né", type: "number", nullable: true },
];

type Values = [unknown, unknown, unknown, unknown, unknown];
const tensor = (name: string, datatype: string, v: unknown) => ({ name, shape: [1], datatype, data: [v] });
const body = (v: Values) => ({
  inputs: [tensor("tenure", "INT64", v[0]), tensor("monthly_charges", "FP64", v[1]), tensor("contract", "BYTES", v[2]), tensor("paperless", "BOOL", v[3]), tensor("né", "FP64", v[4])],
});
const bytesOf = (text: string) => Buffer.from(text);

/** The template learnt from one body through the full path, as answerV2 learns it. */
function learnt(text: string): BodyTemplate | null {
  const value = JSON.parse(text) as unknown;
  const { records, build } = tensorsToRecords(value, fields);
  expect(records).toHaveLength(1);
  return learnTemplate(value, bytesOf(text), fields, build!);
}

/** Same keys in the same order and every value Object.is-equal (toEqual does not tell -0 from 0). */
function expectSame(a: Record<string, unknown> | null, b: Record<string, unknown>): void {
  expect(a).not.toBeNull();
  expect(Object.keys(a!)).toEqual(Object.keys(b));
  for (const k of Object.keys(b)) expect(Object.is(a![k], b[k]), `${k}: ${String(a![k])} vs ${String(b[k])}`).toBe(true);
}

describe("V2 body template", () => {
  const t = learnt(JSON.stringify(body([1, 29.85, "Month-to-month", true, null])))!;

  it("is learnt from a compact body and reads every later body's values as JSON.parse does", () => {
    expect(t).not.toBeNull();
    const numbers = [0, -0, 1, -1, 72, 0.1, 0.3, -12.5, 29.85, 1e21, 1.5e-7, 123456789012345, 1234567890123456789, 0.1234567890123456, 5e-324, 1.7976931348623157e308, 2 ** 53 + 1];
    let rnd = 12345;
    for (let i = 0; i < 400; i++) {
      rnd = (rnd * 1103515245 + 12345) % 2 ** 31;
      numbers.push((rnd / 2 ** 31 - 0.5) * 10 ** ((rnd % 40) - 20), Math.round(rnd / 1000) / 100);
    }
    const strings = ["", "Two year", "Two", "Two years", "Two yeaR", "Two year", "Two year", "", "a b", "~!#$%&'()*+,-./:;<=>?@[]^_`{|}", "0", "null"];
    const others = [true, false, null, 7, "x"];
    const cases: Values[] = [];
    for (let i = 0; i < numbers.length; i++) cases.push([numbers[i], numbers[(i * 7) % numbers.length], strings[i % strings.length], others[i % others.length], numbers[(i * 3) % numbers.length]]);
    // The slot's last string is reused when the bytes equal it: prefixes, extensions and one changed byte must not be.
    for (const [a, b] of [["Two year", "Two"], ["Two", "Two year"], ["Two year", "Two yeaR"], ["Two year", "Two year"], ["x", ""], ["", "x"]]) cases.push([1, 2, a, true, null], [1, 2, b, true, null]);
    for (const v of cases) {
      const text = JSON.stringify(body(v));
      expectSame(readTemplate(t, bytesOf(text)), tensorsToRecords(JSON.parse(text), fields).records[0]);
    }
    // Spellings JSON.stringify never writes but a client may: exponents, a trailing zero, upper-case E.
    for (const n of ["1E5", "2.50", "-0.0", "1e-2", "12345678901234567890.5", "0.000001", "3E+2"]) {
      const text = `{"inputs":[{"name":"tenure","shape":[1],"datatype":"INT64","data":[${n}]},{"name":"monthly_charges","shape":[1],"datatype":"FP64","data":[1]},{"name":"contract","shape":[1],"datatype":"BYTES","data":["a"]},{"name":"paperless","shape":[1],"datatype":"BOOL","data":[true]},{"name":"né","shape":[1],"datatype":"FP64","data":[null]}]}`;
      expectSame(readTemplate(t, bytesOf(text)), tensorsToRecords(JSON.parse(text), fields).records[0]);
    }
  });

  it("does not match bodies that differ outside their values, or values it does not read", () => {
    const good = JSON.stringify(body([1, 2, "a", true, null]));
    const bad = [
      JSON.stringify(body([1, 2, "a", true, null]), null, 1), // spacing
      `${good} `,
      ` ${good}`,
      good.slice(0, -1),
      good.replace('"contract"', '"kontract"'),
      good.replace('"INT64"', '"FP64"'),
      // Data the reader does not take (JSON.parse refuses most of them; the others are not one scalar).
      ...["1,2", "[1]", "01", "1.", "+1", "1e", "-", "NaN", "tru", "{}"].map((d) => good.replace('"data":[1]', `"data":[${d}]`)),
      good.replace('"a"', '"a\\"b"'), // an escape
      good.replace('"a"', '"é"'), // not ASCII
      good.replace('"a"', '"a\tb"'), // a control character
      good.replace('"a"', '"a'),
      JSON.stringify({ ...body([1, 2, "a", true, null]), id: "r1" }),
    ];
    for (const text of bad) expect(readTemplate(t, bytesOf(text)), text).toBeNull();
  });

  it("gives the record read last as /predict's records text from the body's own value bytes (spellings kept, -0 too)", () => {
    const spelled = JSON.stringify(body([1, 29.85, "Month-to-month", true, null])).replace('"data":[1]', '"data":[-0]').replace('"data":[29.85]', '"data":[2.50e1]');
    const b = bytesOf(spelled);
    expect(readTemplate(t, b)).not.toBeNull();
    const text = recordBytes(t, b)!.toString();
    expect(text).toBe('{"records":[{"tenure":-0,"monthly_charges":2.50e1,"contract":"Month-to-month","paperless":true,"né":null}]}');
    const [fromLog] = loggedRecords(JSON.parse(text)) as Record<string, unknown>[];
    expectSame(fromLog, loggedRecords(JSON.parse(spelled))![0] as Record<string, unknown>);
    // Names that would not read back as the tensors' record (repeated, __proto__) keep the body as received.
    for (const names of [["tenure", "tenure"], ["__proto__", "tenure"]]) {
      const text2 = JSON.stringify({ inputs: names.map((n, k) => tensor(n, "FP64", k)) });
      const value = JSON.parse(text2) as unknown;
      const tt = learnTemplate(value, bytesOf(text2), fields, () => ({}));
      expect(tt).not.toBeNull();
      expect(readTemplate(tt!, bytesOf(text2))).not.toBeNull();
      expect(recordBytes(tt!, bytesOf(text2))).toBeNull();
    }
  });

  it("is not learnt from bodies it could not read back: other spacing, more keys, several records, nested data", () => {
    const v: Values = [1, 2, "a", true, null];
    expect(learnt(JSON.stringify(body(v), null, 2))).toBeNull();
    expect(learnt(JSON.stringify({ id: "r1", ...body(v) }))).toBeNull();
    expect(learnt(JSON.stringify(body([1, 2, "é", true, null])))).toBeNull();
    expect(learnt(JSON.stringify(body([1, 2, 'say "hi"', true, null])))).toBeNull();
    const nested = { inputs: body(v).inputs.map((x) => ({ ...x, shape: [1, 1], data: [x.data] })) };
    expect(learnt(JSON.stringify(nested))).toBeNull();
    // Any key order of the tensors is learnt as sent (the order is part of the literal text).
    const reordered = JSON.stringify({ inputs: body(v).inputs.map(({ name, shape, datatype, data }) => ({ datatype, data, name, shape })) });
    const t2 = learnt(reordered)!;
    expect(t2).not.toBeNull();
    expectSame(readTemplate(t2, bytesOf(reordered.replace('"data":[1]', '"data":[33]'))), { tenure: 33, monthly_charges: 2, contract: "a", paperless: true, né: null });
    expect(readTemplate(t, bytesOf(reordered))).toBeNull();
  });
});

type Outcome = { answer?: unknown; error?: string; line?: LoggedAnswer };
/**
 * The quick path's answer (or error) and log line equal the full path's. The log holds the body as received (/predict)
 * or, for V2 (`asRecords`), /predict's records text spliced from it, which reads back as the records its tensors make.
 */
function expectSameOutcome(got: Outcome, want: Outcome, bytes: Buffer, asRecords = false): void {
  expect(got.error).toBe(want.error);
  expect(got.answer).toEqual(want.answer);
  if (want.line) {
    const logged = Buffer.from(got.line!.requestBytes!);
    if (asRecords) {
      expect(Object.keys(JSON.parse(logged.toString()))).toEqual(["records"]);
      expect(loggedRecords(JSON.parse(logged.toString()))).toEqual(loggedRecords(JSON.parse(bytes.toString())));
    } else expect(logged.equals(bytes)).toBe(true);
    expect(got.line!.records).toEqual(want.line.records);
    expect(got.line!.outputs).toEqual(want.line.outputs);
  }
}

/** A serving core around one model whose answered requests land in `logged`. */
function coreLogging(served: ServedModel, logged: LoggedAnswer[]): PredictCore {
  return {
    models: { current: () => served },
    sink: { log: () => undefined, logRequest: (a) => void logged.push(a) },
    metrics: serveMetrics(new Registry()),
    vopts: { maxRecords: 100, extraFields: "reject" },
    onShadowError: () => undefined,
  };
}

describe("V2 answers from the template", () => {
  const served = churnModel(2);
  const logged: LoggedAnswer[] = [];
  const core = coreLogging(served, logged);
  const target = v2Route(core, "churn", undefined, null);
  const text = (tenure: unknown, contract: unknown, total: unknown) =>
    JSON.stringify({
      inputs: [
        { name: "tenure", shape: [1], datatype: "INT64", data: [tenure] },
        { name: "monthly_charges", shape: [1], datatype: "FP64", data: [70.5] },
        { name: "total_charges", shape: [1], datatype: "FP64", data: [total] },
        { name: "contract", shape: [1], datatype: "BYTES", data: [contract] },
        { name: "paperless_billing", shape: [1], datatype: "BOOL", data: [true] },
      ],
    });
  const ids = (t: string): unknown => JSON.parse(t.replace(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"ID"'));
  /** The full path's answer (or error) and log line for the same bytes. */
  function full(bytes: Buffer): { answer?: unknown; error?: string; line?: LoggedAnswer } {
    logged.length = 0;
    try {
      return { answer: ids(answerV2(core, target, JSON.parse(bytes.toString()), 0, bytes).text), line: logged[0] };
    } catch (e) {
      return { error: String(e) };
    }
  }

  it("answers, logs and refuses as the full path does once a body taught it the layout", () => {
    expect(answerV2Bytes(core, target, Buffer.from(text(1, "One year", null)), 0)).toBeNull(); // nothing learnt yet
    full(Buffer.from(text(1, "One year", null)));
    const cases: Array<[unknown, unknown, unknown]> = [[12, "Month-to-month", 846.5], [0, "Two year", null], [-0, "One year", 1e3], [3.5, "One year", 1], [7, "Weekly", 1], [7, 5, 1], [null, "One year", 1], [true, "Two year", "x"]];
    for (const [tenure, contract, total] of cases) {
      const bytes = Buffer.from(text(tenure, contract, total));
      const want = full(bytes);
      logged.length = 0;
      let got: { answer?: unknown; error?: string; line?: LoggedAnswer };
      try {
        const a = answerV2Bytes(core, target, bytes, 0);
        expect(a).not.toBeNull();
        got = { answer: ids(a!.text), line: logged[0] };
      } catch (e) {
        got = { error: String(e) };
      }
      expectSameOutcome(got, want, bytes, true);
    }
    // Another layout is not read; after enough misses the full path learns it instead.
    const other = Buffer.from(JSON.stringify({ inputs: (JSON.parse(text(1, "One year", 1)) as { inputs: object[] }).inputs.reverse() }));
    expect(answerV2Bytes(core, target, other, 0)).toBeNull();
    for (let i = 0; i < 64; i++) answerV2Bytes(core, target, other, 0);
    full(other);
    expect(answerV2Bytes(core, target, other, 0)).not.toBeNull();
    expect(answerV2Bytes(core, target, Buffer.from(text(1, "One year", 1)), 0)).toBeNull();
  });
});

describe("/predict records template", () => {
  const signature = churnModel(1).predictor.signature;
  const fieldsOf = signature.inputs;
  const build = (names: string[]) => recordBuilder(names, fieldsOf);
  const record = { tenure: 12, monthly_charges: 70.5, total_charges: null, contract: "One year", paperless_billing: true };

  it("is learnt from a compact one-record body and reads later ones as JSON.parse does; nothing else is learnt or matched", () => {
    const text = JSON.stringify({ records: [record] });
    const t = learnRecordsTemplate(JSON.parse(text), Buffer.from(text), fieldsOf, build)!;
    expect(t).not.toBeNull();
    for (const v of [0, -0, 3.25, 1e-9, 123456789012345678, null, "x", true]) {
      const other = JSON.stringify({ records: [{ ...record, tenure: v, contract: typeof v === "number" ? "Two year" : v }] });
      const want = (JSON.parse(other) as { records: Array<Record<string, unknown>> }).records[0];
      expectSame(readTemplate(t, Buffer.from(other)), want);
    }
    for (const other of [JSON.stringify({ records: [record, record] }), JSON.stringify({ records: [record] }, null, 1), JSON.stringify({ records: [{ ...record, extra: 1 }] }), JSON.stringify({ records: [Object.fromEntries(Object.entries(record).reverse())] })]) {
      expect(readTemplate(t, Buffer.from(other))).toBeNull();
    }
    for (const other of [{ records: [record], x: 1 }, { records: [{ ...record, contract: { a: 1 } }] }, { records: [{ ...record, "né": "é" }] }, { records: [] }]) {
      const s = JSON.stringify(other);
      expect(learnRecordsTemplate(JSON.parse(s), Buffer.from(s), fieldsOf, build)).toBeNull();
    }
    // A key outside the signature: no generated builder, so no template (the validator names the key on the full path).
    const extra = JSON.stringify({ records: [{ ...record, unknown_field: 1 }] });
    expect(learnRecordsTemplate(JSON.parse(extra), Buffer.from(extra), fieldsOf, build)).toBeNull();
  });

  it("answers, logs and refuses as the full path does once a body taught it the layout", () => {
    const served = churnModel(4);
    const logged: LoggedAnswer[] = [];
    const core = coreLogging(served, logged);
    const route = routeFor(core.models, null);
    const ids = (t: string): unknown => JSON.parse(t.replace(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"ID"'));
    const run = (f: () => { text: string } | null) => {
      logged.length = 0;
      try {
        const a = f();
        return { answer: a && ids(a.text), line: logged[0] };
      } catch (e) {
        return { error: String(e) };
      }
    };
    const body = (r: Record<string, unknown>) => Buffer.from(JSON.stringify({ records: [r] }));
    run(() => answerPredict(core, route, JSON.parse(body(record).toString()), 0, parseJsonBytes(body(record))));
    for (const r of [{ ...record, tenure: 40 }, { ...record, contract: "Weekly" }, { ...record, tenure: 2.5 }, { ...record, paperless_billing: null }, { ...record, total_charges: 99.9 }]) {
      const bytes = body(r);
      const want = run(() => answerPredict(core, route, JSON.parse(bytes.toString()), 0, parseJsonBytes(bytes)));
      const got = run(() => answerPredictBytes(core, route, bytes, 0) ?? { text: "null" });
      expectSameOutcome(got, want, bytes);
    }
  });
});
