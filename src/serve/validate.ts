// Turns a model Signature into a zod schema for request records, once per model, and into errors naming the field.
import { z } from "zod";
import type { FieldSpec, Signature } from "../records.js";
import { ValidationError } from "../errors.js";
import { PayloadTooLargeError } from "./http-errors.js";
import { compileRangeChecker, type RangeChecker } from "./ranges.js";
import { ExplainAsked, isExplainField } from "./explain-request.js";

/**
 * What to do with a field the signature does not declare. The default is "reject": a typo such as
 * `tenur` for a nullable `tenure` would otherwise be silently scored as missing.
 */
export type ExtraFields = "reject" | "ignore";

export interface ValidatorOptions {
  extraFields?: ExtraFields;
  maxRecords?: number;
}

export type Record_ = Record<string, unknown>;

export interface RecordValidator {
  /** zod schema of one record (also used for the OpenAPI / JSON Schema documents). */
  readonly record: z.ZodType;
  /** Checks `{records:[...]}` and returns the records as the model should see them (nullable gaps → null). */
  parseBody(body: unknown): Record_[];
  /** Checks an already extracted list of records; `where` prefixes paths, e.g. "records". */
  parseRecords(records: unknown, where: string): Record_[];
  /** Flags values outside what training saw; null when the signature records nothing to check against. */
  readonly ranges: RangeChecker | null;
}

const timestamp = z.union([
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: "expected an ISO-8601 timestamp" }),
  z.number(),
]);

function fieldSchema(f: FieldSpec): z.ZodType {
  let s: z.ZodType;
  switch (f.type) {
    case "number":
      s = z.number();
      break;
    case "integer":
      s = z.int();
      break;
    case "boolean":
      s = z.boolean();
      break;
    case "timestamp":
      s = timestamp;
      break;
    case "string":
      s = f.strict && f.categories && f.categories.length > 0 ? z.enum(f.categories as [string, ...string[]]) : z.string();
      break;
  }
  // A nullable field may be null or absent; absent becomes null so the model sees one spelling of "missing".
  return f.nullable ? s.nullable().default(null) : s;
}

/** Builds the record schema of a signature. */
export function recordSchema(signature: Signature, extraFields: ExtraFields = "reject"): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  // defineProperty, not assignment: a field named "__proto__" must become a key, not the shape's prototype.
  for (const f of signature.inputs) Object.defineProperty(shape, f.name, { value: fieldSchema(f), enumerable: true, writable: true, configurable: true });
  return extraFields === "reject" ? z.strictObject(shape) : z.object(shape);
}

/** `["records", 3, "tenure"]` → `records[3].tenure`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "number") return `number ${v}`;
  return typeof v;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Turns the first zod issue into a ValidationError whose message names the field and says what to send. */
function issueToError(issue: z.core.$ZodIssue, root: unknown, prefix: ReadonlyArray<PropertyKey>, fields: Map<string, FieldSpec>): ValidationError {
  const path = [...prefix, ...issue.path];
  const where = formatPath(path);
  const field = fields.get(String(issue.path[issue.path.length - 1] ?? ""));
  const got = valueAt(root, issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.slice(0, 5);
    const p = formatPath([...path, keys[0]]);
    return new ValidationError(`${p} is not an input of this model (unknown field${keys.length > 1 ? "s" : ""}: ${keys.join(", ")})`, {
      path: p,
      hint: `send only the fields of the model signature: ${[...fields.keys()].join(", ")}`,
    });
  }
  if (got === undefined && field) {
    return new ValidationError(`${where} is missing`, { path: where, hint: `${field.name} is a required ${field.type} field` });
  }
  if (got === null && field) {
    return new ValidationError(`${where} is null but the field is not nullable`, { path: where, hint: `send ${/^[aeiou]/.test(field.type) ? "an" : "a"} ${field.type} value` });
  }
  if (issue.code === "invalid_value" && field?.categories) {
    const shown = field.categories.slice(0, 20).map((c) => JSON.stringify(c)).join(", ");
    return new ValidationError(`${where} has unknown category ${describeValue(got)}`, {
      path: where,
      hint: `allowed: ${shown}${field.categories.length > 20 ? ", …" : ""}`,
    });
  }
  if (issue.code === "invalid_type" && field) {
    const expected = field.type === "integer" ? "an integer" : field.type === "timestamp" ? "a timestamp" : `a ${field.type}`;
    return new ValidationError(`${where} must be ${expected}, got ${describeValue(got)}`, { path: where, hint: `send ${expected}` });
  }
  if (issue.code === "invalid_type" && issue.expected === "object") {
    return new ValidationError(`${where} must be an object of field values, got ${describeValue(got)}`, { path: where, hint: 'e.g. {"records":[{"field": 1}]}' });
  }
  return new ValidationError(`${where || "body"}: ${issue.message}`, { path: where, hint: "check the value against the model signature (GET /models)" });
}

/**
 * A check that accepts exactly the records the zod schema accepts and returns the same normalized record, or null to
 * let zod find and word the error. It is generated code with the field names as literals (the technique of ajv and
 * fast-json-stringify): one object shape, no loops over specs, ≈20× fewer cycles per record than zod. Names enter the
 * code only through JSON.stringify. validate.test.ts holds it to zod's behaviour on generated records.
 */
export function compileFastCheck(signature: Signature, extraFields: ExtraFields): (r: unknown) => Record_ | null {
  const sets: Set<string>[] = [];
  const lines: string[] = [];
  const props: string[] = [];
  signature.inputs.forEach((f, i) => {
    const key = JSON.stringify(f.name);
    const v = `v${i}`;
    let test: string;
    switch (f.type) {
      case "number":
        test = `typeof ${v} === "number" && ${v} - ${v} === 0`; // finite: Infinity - Infinity and NaN - NaN are NaN
        break;
      case "integer":
        test = `Number.isSafeInteger(${v})`;
        break;
      case "boolean":
        test = `typeof ${v} === "boolean"`;
        break;
      case "string":
        if (f.strict && f.categories && f.categories.length > 0) {
          sets.push(new Set(f.categories));
          // The first few categories as literals first (internalized strings, as the records parser keeps its own: a pointer
          // comparison), then the set.
          const first = f.categories.slice(0, 4).map((c) => `${v} === ${JSON.stringify(c)}`).join(" || ");
          test = `typeof ${v} === "string" && (${first} || sets[${sets.length - 1}].has(${v}))`;
        } else test = `typeof ${v} === "string"`;
        break;
      case "timestamp":
        test = `typeof ${v} === "number" ? ${v} - ${v} === 0 : typeof ${v} === "string" && !Number.isNaN(Date.parse(${v}))`;
        break;
    }
    lines.push(`let ${v} = r[${key}];`);
    if (f.nullable) {
      // Absent or null → null; an own property holding undefined cannot come from JSON and is treated as absent.
      lines.push(`if (${v} === undefined || ${v} === null) { if (hasOwn(r, ${key})) seen++; ${v} = null; } else { if (!(${test})) return null; seen++; }`);
    } else {
      lines.push(`if (${v} === undefined || ${v} === null || !(${test})) return null; seen++;`);
    }
    // A literal "__proto__": x would set the prototype; the computed form makes it a plain property.
    props.push(f.name === "__proto__" ? `[${key}]: ${v}` : `${key}: ${v}`);
  });
  const extraCheck = extraFields === "reject" ? "let keys = 0; for (const k in r) if (hasOwn(r, k)) keys++; if (keys !== seen) return null;" : "";
  // Under "reject", a plain record holding every field already is the normalized record (same keys and values): it is
  // returned as it is instead of copied (a 1,000-record batch made 1,000 more objects of every field for nothing).
  const reuse = extraFields === "reject" ? `if (seen === ${signature.inputs.length} && Object.getPrototypeOf(r) === Object.prototype) return r;` : "";
  const body = `return function fastCheck(r) {
  if (r === null || typeof r !== "object" || Array.isArray(r)) return null;
  let seen = 0;
  ${lines.join("\n  ")}
  ${extraCheck}
  ${reuse}
  return { ${props.join(", ")} };
};`;
  const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  return new Function("sets", "hasOwn", body)(sets, hasOwn) as (r: unknown) => Record_ | null;
}

/** Builds the validator for one signature. Cache the result per model (see validatorFor). */
export function compileValidator(signature: Signature, opts: ValidatorOptions = {}): RecordValidator {
  const maxRecords = opts.maxRecords ?? 10_000;
  const record = recordSchema(signature, opts.extraFields ?? "reject");
  const list = z.array(record);
  const fields = new Map(signature.inputs.map((f) => [f.name, f]));
  const fast = compileFastCheck(signature, opts.extraFields ?? "reject");

  function parseRecords(records: unknown, where: string): Record_[] {
    if (!Array.isArray(records)) {
      throw new ValidationError(`${where} must be an array of records, got ${describeValue(records)}`, { path: where, hint: 'send {"records":[{...}, ...]}' });
    }
    if (records.length === 0) throw new ValidationError(`${where} is empty`, { path: where, hint: "send at least one record" });
    if (records.length > maxRecords) {
      throw new PayloadTooLargeError(`${where} has ${records.length} records; the limit is ${maxRecords}`, {
        path: where,
        hint: `split the request into batches of at most ${maxRecords} records`,
      });
    }
    const out = new Array<Record_>(records.length);
    let i = 0;
    for (; i < records.length; i++) {
      const ok = fast(records[i]);
      if (ok === null) break;
      out[i] = ok;
    }
    if (i === records.length) return out;
    const r = list.safeParse(records);
    if (r.success) return r.data as Record_[];
    throw issueToError(r.error.issues[0], records, [where], fields);
  }

  return {
    record,
    parseRecords,
    ranges: compileRangeChecker(signature),
    parseBody(body: unknown): Record_[] {
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        throw new ValidationError(`body must be a JSON object, got ${describeValue(body)}`, { path: "", hint: 'send {"records":[{...}]}' });
      }
      const b = body as Record<string, unknown>;
      if (!("records" in b)) throw new ValidationError("records is missing", { path: "records", hint: 'send {"records":[{...}]}' });
      for (const k in b) {
        if (k !== "records") throw unknownBodyField(k);
      }
      return parseRecords(b.records, "records");
    },
  };
}

/** A body field other than records: explain and explain_top are handed to the explain answer (predict.ts). */
function unknownBodyField(k: string): ValidationError {
  if (isExplainField(k)) return new ExplainAsked(k);
  return new ValidationError(`${k} is not a known body field`, { path: k, hint: 'the body takes "records" (and "explain", "explain_top")' });
}

const cache = new WeakMap<Signature, Map<string, RecordValidator>>();

/** The validator of a signature object, built on first use and kept as long as the signature lives. */
let lastSignature: Signature | null = null;
let lastExtra: ExtraFields | undefined;
let lastMax: number | undefined;
let lastValidator: RecordValidator | null = null;

export function validatorFor(signature: Signature, opts: ValidatorOptions = {}): RecordValidator {
  // A server asks for the same validator on every request: the last one answers without building the cache key.
  if (signature === lastSignature && opts.extraFields === lastExtra && opts.maxRecords === lastMax) return lastValidator!;
  const v = validatorForKey(signature, opts);
  lastSignature = signature;
  lastExtra = opts.extraFields;
  lastMax = opts.maxRecords;
  lastValidator = v;
  return v;
}

function validatorForKey(signature: Signature, opts: ValidatorOptions): RecordValidator {
  const key = `${opts.extraFields ?? "reject"}:${opts.maxRecords ?? 10_000}`;
  let m = cache.get(signature);
  if (!m) cache.set(signature, (m = new Map()));
  let v = m.get(key);
  if (!v) m.set(key, (v = compileValidator(signature, opts)));
  return v;
}
