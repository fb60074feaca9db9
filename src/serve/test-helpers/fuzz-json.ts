// Adversarial JSON bodies for differential fuzz tests of the byte-level body readers (body-template.ts, records-parser.ts):
// a body as a tree whose leaves are raw JSON text (any spelling, valid or not), tree and byte mutations, and a deep
// equality that tells -0 from 0, compares key order and prototypes.
import { ValidationError } from "../../errors.js";
import type { JsonBody } from "../body.js";
import { mutated } from "./same-json.js";

/** An object (keys as raw JSON tokens), an array, or a raw leaf (any text: a number's spelling, `{}`, `tru`…). */
export type Node = { t: "o"; p: Array<[string, Node]> } | { t: "a"; x: Node[] } | { t: "v"; s: string };
type Leaf = Extract<Node, { t: "v" }>;
type Obj = Extract<Node, { t: "o" }>;
export type Rnd = () => number;

export const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export function toNode(v: unknown): Node {
  if (Array.isArray(v)) return { t: "a", x: v.map(toNode) };
  if (v !== null && typeof v === "object") return { t: "o", p: Object.entries(v).map(([k, x]) => [JSON.stringify(k), toNode(x)]) };
  return { t: "v", s: JSON.stringify(v) };
}

/** The node's text; `ws()` is called at every place JSON allows whitespace. */
export function render(n: Node, ws: () => string): string {
  if (n.t === "v") return n.s;
  if (n.t === "a") return `[${ws()}${n.x.map((x, i) => (i ? `${ws()},${ws()}` : "") + render(x, ws)).join("")}${ws()}]`;
  return `{${ws()}${n.p.map(([k, x], i) => `${i ? `${ws()},${ws()}` : ""}${k}${ws()}:${ws()}${render(x, ws)}`).join("")}${ws()}}`;
}

export const compact = (): string => "";
const SPACES = [" ", "\n", "\t", "\r\n", "  ", " \n  "];
/** Whitespace at a share `p` of the places that allow it. */
export const someSpace = (r: Rnd, p: number) => (): string => (r() < p ? pick(r, SPACES) : "");

/** Number spellings: valid ones of every form and edge, and forms JSON refuses. */
export const FIXED_NUMBERS = [
  "0", "-0", "-0.0", "0.0", "1", "-1", "0.1", "0.30000000000000004", "0.1000000000000000055511151231257827", "29.85", "1889.50",
  "123456789012345", "1234567890123456", "12345678901234567890", "99999999999999999999", "9007199254740993", "999999999999999.9",
  "0.000000000000001", "0.0000000000000001", "0.123456789012345", "0.1234567890123456", "1e308", "1.7976931348623157e308", "1e309",
  "-1e309", "2.2250738585072014e-308", "5e-324", "4.9e-324", "1e-320", "1e-400", "1E5", "1e+5", "1e-5", "1E-0", "0e0", "-0e-0",
  "0.1e1", "1.0", "12.000", "72", "72.0", "7.2e1", "100000000000000000000000", "1".repeat(400), `0.${"0".repeat(400)}1`,
];
export const BAD_NUMBERS = ["+1", "01", "-01", "00", "1.", ".5", "-", "--1", "1e", "1e+", "1E-", "0x1F", "NaN", "Infinity", "-Infinity", "1_000", "1.5.5", "1e5e5", "- 1", "0.", "١"];

export function numberSpelling(r: Rnd): string {
  const u = r();
  if (u < 0.2) return pick(r, FIXED_NUMBERS);
  if (u < 0.27) return pick(r, BAD_NUMBERS);
  if (u < 0.55) return longDecimal(r);
  const x = (r() - 0.3) * 10 ** Math.floor(r() * 40 - 20);
  const y = r() < 0.3 ? Math.round(x) : x;
  switch (Math.floor(r() * 6)) {
    case 0:
      return String(y);
    case 1:
      return Math.abs(y) < 1e21 ? y.toFixed(Math.floor(r() * 18)) : String(y);
    case 2:
      return y.toPrecision(1 + Math.floor(r() * 21));
    case 3:
      return y.toExponential(Math.floor(r() * 20));
    case 4:
      return y.toExponential(Math.floor(r() * 17)).toUpperCase();
    default:
      return `${y}`.replace("e+", "e");
  }
}

/**
 * A decimal of 13 to 20 significant digits (mostly 13–17) (leading zeros after the point at times), around the 15 digits up to which
 * readers compute integer / 10^k themselves: past it that is no longer JSON.parse's value.
 */
function longDecimal(r: Rnd): string {
  let digits = String(1 + Math.floor(r() * 9));
  const n = 13 + Math.floor(r() * r() * 8);
  while (digits.length < n) digits += String(Math.floor(r() * 10));
  const point = Math.floor(r() * (n + 1));
  const zeros = r() < 0.2 ? "0".repeat(1 + Math.floor(r() * 4)) : "";
  const text = point === 0 ? `0.${zeros}${digits}` : point === n ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return r() < 0.25 ? `-${text}` : text;
}

/** Tokens near the string `s`: itself, cut, extended, one character changed or escaped, broken (at `at` of its JSON text). */
export function nearStrings(s: string, at: number): string[] {
  const q = (x: string) => `"${x}"`;
  const e = JSON.stringify(s).slice(1, -1);
  const n = e.length;
  at = Math.min(at, n);
  // One character changed: at `at`, the first or the last (a reader comparing one too few bytes misses those).
  const changed = [at, 0, n - 1].filter((k) => k >= 0 && k < n).map((k) => q(e.slice(0, k) + String.fromCharCode(e.charCodeAt(k) + 1) + e.slice(k + 1)));
  return [
    q(e),
    q(e.slice(0, -1)),
    ...["x", " ", "é", "\\u0000", '\\"', "\\\\", e].map((x) => q(e + x)),
    ...["x", " ", "é", "\\/"].map((x) => q(x + e)),
    q(e.toUpperCase()),
    ...changed,
    // the same characters, one of them escaped: the same string by JSON.parse
    n === 0 ? q("\\u0041") : q(`${e.slice(0, at)}\\u${(e.charCodeAt(at) || 65).toString(16).padStart(4, "0")}${e.slice(at + 1)}`),
    q(e.replace(/\//g, "\\/").replace(/ /g, "\\u0020")),
    q(e).slice(0, -1), // unterminated
    `${q(e).slice(0, -1)}x`, // its closing quote replaced: the string runs on into the next key
    q(`${e.slice(0, at)}\t${e.slice(at)}`), // a raw control character
    q(`${e.slice(0, at)}"${e.slice(at)}`), // a quote where it ends early
    q(e.slice(at)),
    q(`${e.slice(0, at)}\\${e.slice(at)}`), // a stray backslash
  ];
}

export const EDGE_STRINGS = [
  '""', '"\\u00e9"', '"é"', '"\\""', '"\\\\"', '"\\/"', '"a\\/b"', '"\\ud83d\\ude00"', '"😀"', '"\\ud800"', '"\\udc00x"', '"\\u0000"',
  '"\\t"', '"\\n"', '"\\x41"', '"\\u00"', '"\\uZZZZ"', '"__proto__"', '"constructor"', '"toString"', '"null"', '"0"', '"1e5"', '"true"',
  '"\u007f"', '"\u2028"', '"\ufeff"', '"One year"', '"Two year"', '"Month-to-month"', '"Electronic check"', '"Mailed check"', '"Weekly"',
  `"${"ab".repeat(2600)}"`, `"${"é".repeat(1500)}"`, `"${"x".repeat(40)}\\"${"y".repeat(40)}"`,
];

/** JSON string tokens (raw: escapes as written); `known` holds the strings a reader may have remembered. */
export function stringSpelling(r: Rnd, known: readonly string[]): string {
  if (r() < 0.5) {
    const s = pick(r, known);
    return pick(r, nearStrings(s, Math.floor(r() * (s.length + 1))));
  }
  return pick(r, EDGE_STRINGS);
}

export const LITERALS = ["null", "true", "false", "tru", "nul", "nulll", "truee", "fals", "True", "NULL", "[]", "[1]", "[null]", "{}", '{"a":1}', '{"__proto__":1}', "[[1]]", "", " ", ",", "undefined"];

/** A spelling JSON.parse takes, from `spell`. */
export function validSpelling(r: Rnd, spell: (r: Rnd) => string): string {
  for (;;) {
    const s = spell(r);
    try {
      JSON.parse(s);
      return s;
    } catch {
      // another one
    }
  }
}

/** A raw value for a leaf: a number, a string or a literal/container spelling. */
export function rawValue(r: Rnd, known: readonly string[]): string {
  const u = r();
  return u < 0.45 ? numberSpelling(r) : u < 0.85 ? stringSpelling(r, known) : pick(r, LITERALS);
}

/** The string a raw leaf spells, or null (an earlier edit may have made it invalid). */
export function stringOf(raw: string): string | null {
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === "string" ? v : null;
  } catch {
    return null;
  }
}

/** Leaves (with whether they lie under `"data"` or a record: value slots) and objects of a tree. */
function collect(n: Node, inValue: boolean, leaves: Array<[Leaf, boolean]>, objs: Obj[]): void {
  if (n.t === "v") leaves.push([n, inValue]);
  else if (n.t === "a") for (const x of n.x) collect(x, inValue, leaves, objs);
  else {
    objs.push(n);
    for (const [k, x] of n.p) collect(x, inValue || k === '"data"' || k === '"records"', leaves, objs);
  }
}

const KEYS = ['"__proto__"', '"constructor"', '"x"', '""', '"tenure "', '"id"', '"outputs"', '"né"', '"ten\\u0075re"', '"tenure\\u0000"'];

/** The leaves in value slots (under `"data"` or `"records"`), in order. */
export function valueLeaves(n: Node): Leaf[] {
  const leaves: Array<[Leaf, boolean]> = [];
  collect(n, false, leaves, []);
  return leaves.filter(([, v]) => v).map(([l]) => l);
}

/** 1–3 edits of the tree in place (mostly values; keys escaped, added, removed, repeated, reordered); their names. */
export function mutateTree(r: Rnd, root: Node, known: readonly string[]): string[] {
  const done: string[] = [];
  const edits = 1 + Math.floor(r() * r() * 3);
  for (let e = 0; e < edits; e++) {
    const leaves: Array<[Leaf, boolean]> = [];
    const objs: Obj[] = [];
    collect(root, false, leaves, objs);
    const values = leaves.filter(([, v]) => v);
    const u = r();
    if ((u < 0.6 || objs.length === 0) && leaves.length > 0) {
      const [leaf] = values.length > 0 && r() < 0.85 ? pick(r, values) : pick(r, leaves);
      // Strings near the slot's own string most often: the one a reader remembers for this slot.
      const own = leaf.s.startsWith('"') && r() < 0.6 ? stringOf(leaf.s) : null;
      leaf.s = rawValue(r, own === null ? known : [own]);
      done.push(`value ${leaf.s.length > 60 ? `${leaf.s.slice(0, 60)}…` : leaf.s}`);
      continue;
    }
    const o = objs.length > 1 && r() < 0.8 ? pick(r, objs.slice(1)) : objs[0];
    const j = Math.floor(r() * o.p.length);
    const op = Math.floor(r() * 6);
    if (o.p.length === 0 || op === 0) {
      o.p.splice(Math.floor(r() * (o.p.length + 1)), 0, [pick(r, KEYS), { t: "v", s: rawValue(r, known) }]);
      done.push("extra key");
    } else if (op === 1) {
      o.p.splice(j, 1);
      done.push("missing key");
    } else if (op === 2) {
      o.p.splice(Math.floor(r() * (o.p.length + 1)), 0, [o.p[j][0], r() < 0.5 ? structuredClone(o.p[j][1]) : { t: "v", s: rawValue(r, known) }]);
      done.push(`duplicate ${o.p[j][0]}`);
    } else if (op === 3) {
      const k = Math.floor(r() * o.p.length);
      [o.p[j], o.p[k]] = [o.p[k], o.p[j]];
      done.push("reorder");
    } else if (op === 4) {
      const k = o.p[j][0];
      const at = 1 + Math.floor(r() * (k.length - 2));
      o.p[j][0] = k.length > 2 && k[at] !== "\\" ? `${k.slice(0, at)}\\u${k.charCodeAt(at).toString(16).padStart(4, "0")}${k.slice(at + 1)}` : k;
      done.push(`escaped key ${o.p[j][0]}`);
    } else {
      const [k, x] = o.p[j];
      o.p[j] = [k, x.t === "v" && r() < 0.5 ? { t: "a", x: [x] } : { t: "a", x: [x, x] }];
      done.push(`array around ${k}`);
    }
  }
  return done;
}

const BAD_BYTES = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xef, 0xbf, 0xbf], [0x7f], [0x00], [0x01]];
const BOM = [0xef, 0xbb, 0xbf];

/** A byte-level change of the whole body (none most of the time): truncation, garbage, BOM, bytes outside UTF-8, edits. */
export function mutateBytes(r: Rnd, text: string): [Buffer, string | null] {
  const b = Buffer.from(text);
  const u = r();
  const at = Math.floor(r() * b.length);
  if (u < 0.7) return [b, null];
  if (u < 0.75) return [b.subarray(0, at), `truncated at ${at}`];
  if (u < 0.8) {
    const tail = pick(r, [" ", "\n", "x", "}", "]", ",", "\u0000", "{}", "]}", "null"]);
    return [Buffer.concat([b, Buffer.from(tail)]), `trailing ${JSON.stringify(tail)}`];
  }
  if (u < 0.84) {
    const head = pick(r, [BOM, [0x20], [0x0a], [...BOM, ...BOM], [0xfe, 0xff]]);
    return [Buffer.concat([Buffer.from(head), b]), `leading ${head.join(" ")}`];
  }
  if (u < 0.93) {
    const bad = pick(r, BAD_BYTES);
    const replace = r() < 0.5;
    return [Buffer.concat([b.subarray(0, at), Buffer.from(bad), b.subarray(replace ? at + 1 : at)]), `${replace ? "byte" : "inserted"} ${bad.join(" ")} at ${at}`];
  }
  return [Buffer.from(mutated(text, r)), "text edits"];
}

/** Deep equality of JSON values: same types, numbers by Object.is, keys in the same order, same prototypes. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number") return typeof b === "number" && Object.is(a, b);
  if (a === null || typeof a !== "object" || b === null || typeof b !== "object") return a === b;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameValue((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}

/** The plain path: strict UTF-8 (a leading BOM dropped, as TextDecoder does) then JSON.parse, with body.ts's errors. */
const utf8 = new TextDecoder("utf-8", { fatal: true });
export function plainParse(bytes: Uint8Array): JsonBody {
  if (bytes.byteLength === 0) throw new ValidationError("request body is empty", { path: "body", hint: 'send {"records":[{...}]}' });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new ValidationError("request body is not valid UTF-8", { path: "body", hint: "encode the JSON body as UTF-8" });
  }
  try {
    return { value: JSON.parse(text) as unknown, text, bytes };
  } catch (e) {
    throw new ValidationError(`request body is not valid JSON: ${(e as Error).message.slice(0, 200)}`, { path: "body", hint: "check the JSON syntax" });
  }
}
