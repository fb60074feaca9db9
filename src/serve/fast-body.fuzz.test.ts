// Differential fuzz of the byte-level body readers against the plain path (strict UTF-8 decoding, JSON.parse, the same
// answer functions): single-record /predict and KServe V2 bodies read through a learnt template (body-template.ts),
// and 1,000-record /predict batches read by the records parser (records-parser.ts, records-compact.ts). Each body is
// sent as node-fast.ts sends it and as the plain path would; the answers (ids aside), error status and body, the
// prediction-log lines and the logged records must be the same. Seeded: a failure names its case and body.
import { isAscii, isUtf8 } from "node:buffer";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { requestLine } from "../monitor/prediction-log.js";
import { loggedRecords } from "../v2-tensors.js";
import type { Signature } from "../records.js";
import { parseJsonBytes, type JsonBody } from "./body.js";
import { errorBody, statusOf } from "./http-errors.js";
import { serveMetrics } from "./metrics.js";
import { NON_ASCII } from "./answer-shape.js";
import { answerPredict, answerPredictBytes, routeFor, type Answer, type PredictCore } from "./predict.js";
import { churnSignature, LogisticPredictor } from "./test-helpers/logistic.js";
import {
  BAD_NUMBERS,
  compact,
  EDGE_STRINGS,
  FIXED_NUMBERS,
  LITERALS,
  mutateBytes,
  mutateTree,
  nearStrings,
  numberSpelling,
  pick,
  plainParse,
  render,
  sameValue,
  someSpace,
  stringOf,
  stringSpelling,
  toNode,
  valueLeaves,
  validSpelling,
  type Node,
  type Rnd,
} from "./test-helpers/fuzz-json.js";
import { rng } from "./test-helpers/rng.js";
import { elementsRegion } from "./test-helpers/same-json.js";
import { parseFlatRecords } from "./records-parser.js";
import type { LoggedAnswer, ServedModel } from "./types.js";
import { answerV2, answerV2Bytes, v2Route } from "./v2-infer.js";

// The churn signature with training ranges on two numeric fields: answers may carry range flags (or, strict, refuse).
const signature: Signature = {
  inputs: churnSignature.inputs.map((f) => (f.name === "tenure" ? { ...f, min: 0, max: 72 } : f.name === "monthly_charges" ? { ...f, min: 18.25, max: 118.75 } : f)),
  output: churnSignature.output,
};
const served: ServedModel = {
  predictor: new LogisticPredictor(signature, {
    intercept: -0.8,
    numeric: { tenure: { weight: -0.05, impute: 0 }, monthly_charges: { weight: 0.02, impute: 0 }, total_charges: { weight: -0.0002, impute: 1000 } },
    categorical: { contract: { "Month-to-month": 1.2, "One year": -0.3, "Two year": -1.5 }, payment_method: { "Electronic check": 0.4 } },
    boolean: { paperless_billing: 0.3 },
  }),
  provenance: { model: "churn", version: 3, alias: "production", runId: "run-3", datasetId: "ds-1", datasetHash: "sha256:abc", artifactUri: "file:///a/churn/3" },
};

const logged: LoggedAnswer[] = [];
function makeCore(strictRanges: boolean, extraFields: "reject" | "ignore"): PredictCore {
  return {
    models: { current: () => served },
    sink: { log: () => undefined, logRequest: (a) => void logged.push(a) },
    metrics: serveMetrics(new Registry()),
    vopts: { maxRecords: 2000, extraFields },
    onShadowError: () => undefined,
    strictRanges,
  };
}
const cores = [makeCore(false, "reject"), makeCore(true, "reject"), makeCore(false, "ignore")];

const CONTRACTS = ["Month-to-month", "One year", "Two year"];
const PAYMENTS = ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"];
const KNOWN = [...CONTRACTS, ...PAYMENTS, "", "x"];
const DATATYPES: Record<string, string> = { tenure: "INT64", monthly_charges: "FP64", total_charges: "FP64", contract: "BYTES", payment_method: "BYTES", paperless_billing: "BOOL" };

/** A valid churn record, its keys in a random order (`shuffle`), sometimes without its nullable fields (`drop`). */
function baseRecord(r: Rnd, shuffle: boolean, drop: boolean): Record<string, unknown> {
  const cents = (x: number) => Math.round(x * 100) / 100;
  const rec: Record<string, unknown> = {
    tenure: Math.floor(r() * 73),
    monthly_charges: cents(18.25 + r() * 100),
    total_charges: r() < 0.1 ? null : cents(r() * 8000),
    contract: pick(r, CONTRACTS),
    payment_method: r() < 0.1 ? null : pick(r, PAYMENTS),
    paperless_billing: r() < 0.5,
  };
  const keys = Object.keys(rec).filter((k) => !drop || !(k === "total_charges" || k === "payment_method") || r() > 0.15);
  if (shuffle) keys.sort(() => r() - 0.5);
  return Object.fromEntries(keys.map((k) => [k, rec[k]]));
}


/** What a client and the monitor see of one request: status, answer or error body, log lines, logged records. */
interface Outcome {
  status: number;
  text: string;
  lines: unknown[];
  records: unknown[];
}
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/**
 * A log line as the monitor reads it: parsed, ids masked, a V2 request's tensors as the records they make (a V2 body
 * read by its template is logged as /predict's records text spliced from its bytes, the plain path logs the tensors).
 */
function lineOf(a: LoggedAnswer): unknown {
  const line = JSON.parse(requestLine({ ...a, at: "", latencyMs: 0 }).replace(UUID, "ID")) as { request?: { inputs?: unknown } };
  if (line.request?.inputs !== undefined) line.request = { records: loggedRecords(line.request) } as never;
  return line;
}

function outcome(f: () => Answer): Outcome {
  logged.length = 0;
  try {
    const a = f();
    const wrongAscii = a.ascii === true && NON_ASCII.test(a.text) ? " (marked ASCII, is not)" : "";
    return { status: 200, text: `${a.text.replace(UUID, "ID")} ${JSON.stringify(a.headers)}${wrongAscii}`, lines: logged.map(lineOf), records: logged.map((l) => l.records) };
  } catch (e) {
    const status = statusOf(e);
    return { status, text: JSON.stringify(errorBody(e)) + (status >= 500 ? ` ${String(e)}` : ""), lines: logged.map(lineOf), records: [] };
  }
}

const sameOutcome = (a: Outcome, b: Outcome): boolean => a.status === b.status && a.text === b.text && sameValue(a.lines, b.lines) && sameValue(a.records, b.records);

/** A diverging case, shown so it can be replayed: the body (as text when ASCII, else base64) and both outcomes. */
interface Divergence {
  case: string;
  edits: string[];
  body: string;
  fast: unknown;
  plain: unknown;
}
const shown = (b: Buffer): string => (isAscii(b) ? b.toString("latin1") : `base64:${b.toString("base64")}`);
const brief = (o: Outcome) => ({ status: o.status, text: o.text.slice(0, 400), lines: o.lines.map((l) => JSON.stringify(l).slice(0, 400)) });

const JUNK = Buffer.from("x");
const stats = { predictCases: 0, v2Cases: 0, predictHits: 0, v2Hits: 0, batchParsed: 0, flatRead: 0, flatValid: 0, batchAnswered: 0 };
/** Mutated single-record bodies read from their bytes, by status (the base bodies' own reads not counted). */
const read: Record<string, number> = {};
/** FAST_BODY_FUZZ_SCALE=n runs n times as many cases, FAST_BODY_FUZZ_SEED=k other ones (longer hunts); the defaults
 *  keep the file under ~10 s. */
const SCALE = Number(process.env.FAST_BODY_FUZZ_SCALE ?? 1);
const SEED = Number(process.env.FAST_BODY_FUZZ_SEED ?? 0);
const LIMIT_MS = 60_000 * SCALE;

/**
 * A request as node-fast.ts answers it: the template reader first (`quick`), else parseJsonBytes and the full answer
 * (`full`). Counted as read from the bytes when the reader answers or throws (it throws only once the template matched).
 */
function viaServer(bytes: Buffer, quick: () => Answer | null, full: (body: JsonBody) => Answer, hit: "predictHits" | "v2Hits"): Outcome {
  return outcome(() => {
    let a: Answer | null;
    try {
      a = quick();
    } catch (e) {
      stats[hit]++;
      throw e;
    }
    if (a === null) return full(parseJsonBytes(bytes));
    stats[hit]++;
    return a;
  });
}
function predictServer(core: PredictCore, bytes: Buffer): Outcome {
  const route = routeFor(core.models, null);
  return viaServer(bytes, () => answerPredictBytes(core, route, bytes, 0), (body) => answerPredict(core, route, body.value, 0, body), "predictHits");
}
const predictPlain = (core: PredictCore, bytes: Buffer): Outcome =>
  outcome(() => {
    const body = plainParse(bytes);
    return answerPredict(core, routeFor(core.models, null), body.value, 0, body);
  });

/** Makes the next full answer learn `bytes` as the template (the server relearns after 64 bodies it could not read). */
function teachPredict(core: PredictCore, bytes: Buffer): void {
  const route = routeFor(core.models, null);
  for (let i = 0; i < 64; i++) answerPredictBytes(core, route, JUNK, 0);
  const body = plainParse(bytes);
  answerPredict(core, route, body.value, 0, body);
}

function v2Server(core: PredictCore, bytes: Buffer): Outcome {
  const target = v2Route(core, "churn", undefined, null);
  return viaServer(bytes, () => answerV2Bytes(core, target, bytes, 0), (body) => answerV2(core, target, body.value, 0, body.bytes), "v2Hits");
}
const v2Plain = (core: PredictCore, bytes: Buffer): Outcome => outcome(() => answerV2(core, v2Route(core, "churn", undefined, null), plainParse(bytes).value, 0, bytes));

function teachV2(core: PredictCore, bytes: Buffer): void {
  const target = v2Route(core, "churn", undefined, null);
  for (let i = 0; i < 64; i++) answerV2Bytes(core, target, JUNK, 0);
  answerV2(core, target, plainParse(bytes).value, 0, bytes);
}

/** One body from a base tree: tree edits, record-count changes, whitespace, then byte changes; and what was done. */
function caseBody(r: Rnd, base: Node, list: (n: Node) => Node[] | null): [Buffer, string[]] {
  const node = structuredClone(base);
  const edits = r() < 0.9 ? mutateTree(r, node, KNOWN) : ["none"];
  const items = list(node);
  if (items && r() < 0.06) {
    const n = pick(r, [0, 2, 3]);
    const one = items[0];
    items.length = 0;
    for (let i = 0; i < n; i++) items.push(structuredClone(one));
    edits.push(`${n} items`);
  }
  const spaced = r() < 0.12;
  const [bytes, change] = mutateBytes(r, render(node, spaced ? someSpace(r, 0.15) : compact));
  if (spaced) edits.push("whitespace");
  if (change) edits.push(change);
  return [bytes, edits];
}

/** The body of a record as a /predict body, or as V2 tensors with their keys in `tensorKeys`' order. */
function singleBody(rec: Record<string, unknown>, v2: boolean, tensorKeys = ["name", "shape", "datatype", "data"]): unknown {
  const tensor = (k: string) => Object.fromEntries(tensorKeys.map((t) => [t, t === "name" ? k : t === "shape" ? [1] : t === "datatype" ? DATATYPES[k] : [rec[k]]]));
  return v2 ? { inputs: Object.keys(rec).map(tensor) } : { records: [rec] };
}

/** Teaches the template through the lenient core (one per process, whichever core's request taught it) and checks the
 *  base body itself is then read from its bytes. */
function teach(v2: boolean, base: Buffer): void {
  if (v2) teachV2(cores[0], base);
  else teachPredict(cores[0], base);
  const hits = v2 ? stats.v2Hits : stats.predictHits;
  const again = v2 ? v2Server(cores[0], base) : predictServer(cores[0], base);
  expect(again.status, base.toString()).toBe(200);
  expect(v2 ? stats.v2Hits : stats.predictHits).toBe(hits + 1);
}

/** One body through the server's way and the plain way; a divergence is added to `found`. */
function compare(v2: boolean, core: PredictCore, bytes: Buffer, where: string, edits: string[], found: Divergence[]): void {
  stats[v2 ? "v2Cases" : "predictCases"]++;
  const before = stats.predictHits + stats.v2Hits;
  const fast = v2 ? v2Server(core, bytes) : predictServer(core, bytes);
  const key = `${v2 ? "v2" : "predict"} ${fast.status}`;
  if (stats.predictHits + stats.v2Hits > before) read[key] = (read[key] ?? 0) + 1;
  const plain = v2 ? v2Plain(core, bytes) : predictPlain(core, bytes);
  if (!sameOutcome(fast, plain)) found.push({ case: where, edits, body: shown(bytes), fast: brief(fast), plain: brief(plain) });
}

function runSingles(seed: number, sequences: number, v2: boolean): Divergence[] {
  const r = rng(seed);
  const found: Divergence[] = [];
  for (let s = 0; s < sequences; s++) {
    const core = pick(r, cores);
    const rec = baseRecord(r, r() < 0.3, true);
    const value = singleBody(rec, v2, r() < 0.7 ? undefined : ["data", "datatype", "name", "shape"].sort(() => r() - 0.5));
    teach(v2, Buffer.from(JSON.stringify(value)));
    const tree = toNode(value);
    // Mostly a few bodies per template; at times a long run, in which the server relearns its template from whichever
    // body takes the full path after 64 it could not read (a mutated one: other values, order or fields).
    const steps = r() < 0.06 ? 70 + Math.floor(r() * 60) : 1 + Math.floor(r() * 8);
    for (let k = 0; k < steps; k++) {
      const [bytes, edits] = caseBody(r, tree, (n) => (n.t === "o" && n.p[0]?.[1].t === "a" ? n.p[0][1].x : null));
      compare(v2, core, bytes, `seed ${seed} sequence ${s} step ${k}`, edits, found);
    }
  }
  return found;
}

/** Every edge spelling (numbers, literals, strings, strings near the slot's own) in every value slot, one at a time. */
function sweep(seed: number, v2: boolean): Divergence[] {
  const r = rng(seed);
  const found: Divergence[] = [];
  for (const shuffle of [false, true]) {
    const value = singleBody(baseRecord(r, shuffle, false), v2);
    teach(v2, Buffer.from(JSON.stringify(value)));
    const tree = toNode(value);
    const slots = valueLeaves(tree).length;
    for (let slot = 0; slot < slots; slot++) {
      const own = stringOf(valueLeaves(tree)[slot].s);
      const spellings = [...FIXED_NUMBERS, ...BAD_NUMBERS, ...LITERALS, ...EDGE_STRINGS, ...(own === null ? [] : nearStrings(own, 3)), ...KNOWN.map((k) => JSON.stringify(k))];
      spellings.forEach((spelling, i) => {
        const t = structuredClone(tree);
        valueLeaves(t)[slot].s = spelling;
        compare(v2, cores[i % cores.length], Buffer.from(render(t, compact)), `sweep seed ${seed} slot ${slot}`, [spelling.slice(0, 80)], found);
      });
    }
  }
  return found;
}

describe("single-record bodies read from their bytes (body-template.ts) = the plain path", () => {
  it("/predict: answers, errors and log lines of ~6,500 adversarial bodies (every edge spelling in every slot, then fuzz)", () => {
    const found = [...sweep(SEED + 100, false), ...runSingles(SEED + 101, 250 * SCALE, false), ...runSingles(SEED + 102, 250 * SCALE, false)];
    expect(found.slice(0, 5)).toEqual([]);
    // Most bodies differ from the template and go the plain way; enough are read from the bytes to test that path,
    // answered and refused.
    expect(read["predict 200"]).toBeGreaterThan(150 * SCALE);
    expect(read["predict 400"]).toBeGreaterThan(150 * SCALE);
  }, LIMIT_MS);

  it("KServe V2: answers, errors and log lines of ~7,000 adversarial bodies (every edge spelling in every slot, then fuzz)", () => {
    const found = [...sweep(SEED + 200, true), ...runSingles(SEED + 201, 250 * SCALE, true), ...runSingles(SEED + 202, 250 * SCALE, true)];
    expect(found.slice(0, 5)).toEqual([]);
    expect(read["v2 200"]).toBeGreaterThan(150 * SCALE);
    expect(read["v2 400"]).toBeGreaterThan(150 * SCALE);
  }, LIMIT_MS);
});

type Parsed = { ok: true; value: unknown; text: string } | { ok: false; error: string };
function parsed(f: () => JsonBody): Parsed {
  try {
    const b = f();
    return { ok: true, value: b.value, text: b.text };
  } catch (e) {
    return { ok: false, error: `${statusOf(e)} ${JSON.stringify(errorBody(e))}` };
  }
}
const sameParsed = (a: Parsed, b: Parsed): boolean => (a.ok && b.ok ? a.text === b.text && sameValue(a.value, b.value) : !a.ok && !b.ok && a.error === b.error);

/** A batch through parseJsonBytes and through the records parser alone, each against the plain path; true when equal. */
function compareParse(bytes: Buffer, where: string, edits: string[], found: Divergence[]): boolean {
  const fast = parsed(() => parseJsonBytes(bytes));
  const plain = parsed(() => plainParse(bytes));
  if (fast.ok) stats.batchParsed++;
  // The records parser itself (parseJsonBytes falls back to JSON.parse whenever it declines): read, it is JSON.parse's.
  const region = isUtf8(bytes) ? elementsRegion(bytes.toString(), "records") : null;
  const flat = region && parseFlatRecords(...region);
  if (flat !== null) {
    stats.flatRead++;
    if (edits[0] === "30 records of valid values") stats.flatValid++;
    if (!plain.ok || !sameValue(flat, (plain.value as { records: unknown }).records)) found.push({ case: `${where} records parser`, edits, body: shown(bytes).slice(0, 2000), fast: "read", plain: plain.ok ? "other records" : plain.error });
  }
  if (sameParsed(fast, plain)) return true;
  found.push({ case: where, edits, body: shown(bytes).slice(0, 2000), fast: fast.ok ? "parsed" : fast.error, plain: plain.ok ? "parsed" : plain.error });
  return false;
}

describe("1,000-record batches read by the records parser = JSON.parse", () => {
  it("parses every edge spelling in every slot, then 250 adversarial batches, as the plain path does; answers and logs every third the same", () => {
    const r = rng(SEED + 301);
    const found: Divergence[] = [];
    const head = '{"records":[';
    // One key order in every record (as a client's JSON library writes them): the parser's compiled reader reads them.
    const records = Array.from({ length: 1000 }, () => baseRecord(r, false, false));
    const texts = records.map((x) => JSON.stringify(x));
    const base = Buffer.from(`${head}${texts.join(",")}]}`);
    // The parser remembers the strings of the first bodies and compiles its reader with them.
    for (let i = 0; i < 3; i++) expect(sameParsed(parsed(() => parseJsonBytes(base)), parsed(() => plainParse(base)))).toBe(true);
    // Every edge spelling in every slot of record 100 of a 200-record body (strings near the remembered ones included).
    const tree = toNode(records[100]);
    valueLeaves({ t: "o", p: [['"records"', tree]] }).forEach((leaf, slot) => {
      const own = stringOf(leaf.s);
      for (const spelling of [...FIXED_NUMBERS, ...BAD_NUMBERS, ...LITERALS, ...EDGE_STRINGS, ...(own === null ? [] : nearStrings(own, 3))]) {
        const t = structuredClone(tree);
        valueLeaves({ t: "o", p: [['"records"', t]] })[slot].s = spelling;
        compareParse(Buffer.from(`${head}${[...texts.slice(0, 100), render(t, compact), ...texts.slice(101, 200)].join(",")}]}`), `sweep slot ${slot}`, [spelling.slice(0, 80)], found);
      }
    });
    for (let c = 0; c < 250 * SCALE; c++) {
      const t = texts.slice();
      const edits: string[] = [];
      const mode = r();
      if (mode < 0.3) {
        // Valid values only, many of them (the body stays readable by the parser): numbers of every form and length,
        // strings near the remembered ones.
        for (let m = 0; m < 30; m++) {
          const at = Math.floor(r() * t.length);
          const v: Record<string, unknown> = {};
          for (const [k, x] of Object.entries(records[at])) {
            // (Strings without escapes: the parser declines a body with one, and these are to be read by it.)
            const raw = validSpelling(r, typeof x === "string" ? (q) => stringSpelling(q, [x, ...KNOWN]).replace(/\\/g, "") : numberSpelling);
            v[k] = typeof x === "boolean" || x === null ? x : raw;
          }
          t[at] = `{${Object.entries(v).map(([k, x]) => `"${k}":${typeof x === "string" ? x : JSON.stringify(x)}`).join(",")}}`;
        }
        edits.push("30 records of valid values");
      }
      const many = mode < 0.3 || r() < 0.15 ? 0 : r() < 0.05 ? 40 : 1 + Math.floor(r() * 3);
      for (let m = 0; m < many; m++) {
        const at = Math.floor(r() * t.length);
        const node = toNode(records[at]);
        edits.push(`record ${at}: ${mutateTree(r, node, KNOWN).join("; ")}`);
        t[at] = render(node, r() < 0.2 ? someSpace(r, 0.2) : compact);
      }
      const u = r();
      const list = u < 0.05 ? t.slice(0, 30) : u < 0.08 ? t.slice(0, 2) : t;
      let text = `${head}${list.join(",")}]}`;
      if (r() < 0.05) {
        text = JSON.stringify(JSON.parse(`${head}${texts.slice(0, 50).join(",")}]}`), null, 1);
        edits.push("pretty-printed");
      }
      const [bytes, change] = mutateBytes(r, text);
      if (change) edits.push(change);
      if (!compareParse(bytes, `batch ${c}`, edits, found)) continue;
      if (c % 3 !== 0) continue;
      const core = pick(r, cores);
      const a = predictServer(core, bytes);
      const b = predictPlain(core, bytes);
      if (a.status === 200) stats.batchAnswered++;
      if (!sameOutcome(a, b)) found.push({ case: `batch ${c} answer`, edits, body: shown(bytes).slice(0, 2000), fast: brief(a), plain: brief(b) });
    }
    if (process.env.FAST_BODY_FUZZ_SCALE) console.log(JSON.stringify({ stats, read }));
    expect(found.slice(0, 5)).toEqual([]);
    expect(stats.batchParsed).toBeGreaterThan(120 * SCALE);
    expect(stats.flatRead).toBeGreaterThan(80 * SCALE);
    expect(stats.flatValid).toBeGreaterThan(40 * SCALE);
    expect(stats.batchAnswered).toBeGreaterThan(6 * SCALE);
  }, LIMIT_MS);
});
