// Turns zod's issues about millrace.yaml into lines a person can act on: each at its own file:line:column with the
// field path, a union (a source) explained by the branch the value meant, and "did you mean" for a misspelt key or option.
import path from "node:path";
import { isMap, isNode, isScalar, type Document, type LineCounter } from "yaml";
import { z } from "zod";
import { didYouMean, nearest } from "./did-you-mean.js";
import { projectSchema, SOURCE_SCHEMAS, type SourceConfig } from "./config.js";
import { sourceKindOf } from "./source-kinds.js";

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;

/** At most this many lines: the first errors are the ones to fix first. */
const MAX_LINES = 8;

/** zod's issues with each union's "Invalid input" replaced by the issues of the branch the value meant (full paths). */
export function unwrapUnions(issues: readonly Issue[], input: unknown): Issue[] {
  return bySourceKind(issues, input).flatMap((i) => unwrapUnion(i, input));
}

/**
 * A source's issues from the schema of its kind (a `postgres:` key or not). zod picks a union branch on its own when
 * only one branch failed with nothing but unknown keys, so a PostgreSQL source with one unknown key was reported as a
 * file source with an unknown `postgres` key: validating the source again by its kind says what the user meant.
 */
function bySourceKind(issues: readonly Issue[], input: unknown): Issue[] {
  const out: Issue[] = [];
  const done = new Set<number>();
  for (const issue of issues) {
    const index = issue.path[0] === "sources" && typeof issue.path[1] === "number" ? issue.path[1] : undefined;
    const source = index === undefined ? undefined : asRecord(valueAt(input, ["sources", index]));
    if (index === undefined || source === undefined) {
      out.push(issue);
      continue;
    }
    if (done.has(index)) continue;
    done.add(index);
    const kind = SOURCE_SCHEMAS[sourceKindOf(source as SourceConfig)].safeParse(source);
    if (kind.success) out.push(...issues.filter((i) => i.path[0] === "sources" && i.path[1] === index));
    else out.push(...kind.error.issues.map((i) => ({ ...i, path: ["sources", index, ...i.path] }) as Issue));
  }
  return out;
}

export function describeIssues(issues: readonly Issue[], doc: Document, lc: LineCounter, file: string, input: unknown): string[] {
  const flat = unwrapUnions(issues, input);
  const at = (offset: number, fieldPath: readonly Key[], message: string): string => {
    const { line, col } = lc.linePos(offset);
    return `${path.basename(file)}:${line}:${col} ${fieldPath.length > 0 ? fieldPath.map(String).join(".") : "(top level)"}: ${message}`;
  };
  // A missing required key whose name an unknown key of the same map nearly spells is one mistake: say it once, at the
  // unknown key's line.
  const missing = flat.filter((i) => i.code === "invalid_type" && valueAt(input, i.path) === undefined);
  const meant = new Map<string, string>();
  const merged = new Set<Issue>();
  for (const issue of flat) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const key of issue.keys) {
      const siblings = missing.filter((m) => !merged.has(m) && m.path.length === issue.path.length + 1 && samePath(m.path.slice(0, -1), issue.path));
      const required = siblings.find((m) => String(m.path.at(-1)) === nearest(key, siblings.map((s) => String(s.path.at(-1)))));
      if (required === undefined) continue;
      merged.add(required);
      meant.set(JSON.stringify([...issue.path, key].map(String)), String(required.path.at(-1)));
    }
  }
  const lines: string[] = [];
  for (const issue of flat) {
    if (merged.has(issue)) continue;
    if (issue.code !== "unrecognized_keys") {
      lines.push(at(nodeOffset(doc, issue.path), issue.path, messageOf(issue, input)));
      continue;
    }
    for (const key of issue.keys) {
      const keyPath = [...issue.path, key];
      const required = meant.get(JSON.stringify(keyPath.map(String)));
      let message = `unknown key "${key}"; did you mean "${required}"? (${required} is required)`;
      if (required === undefined) {
        const present = new Set(Object.keys(asRecord(valueAt(input, issue.path)) ?? {}));
        const allowed = allowedKeys(issue.path, input).filter((k) => !present.has(k));
        const hint = didYouMean(key, allowed);
        message = `unknown key "${key}"${hint || (allowed.length > 0 ? ` (allowed here: ${allowed.join(", ")})` : "")}`;
      }
      lines.push(at(keyOffset(doc, issue.path, key) ?? nodeOffset(doc, issue.path), keyPath, message));
    }
  }
  return lines.slice(0, MAX_LINES);
}

function messageOf(issue: Issue, input: unknown): string {
  const value = valueAt(input, issue.path);
  if (issue.code === "invalid_type" && value === undefined) return `required, not set (expected ${issue.expected})`;
  if (issue.code === "invalid_value") return `${issue.message}${typeof value === "string" ? didYouMean(value, issue.values.map(String)) : ""}`;
  if (issue.code === "invalid_union" && typeof value === "string" && "options" in issue && Array.isArray(issue.options)) {
    return `${issue.message}${didYouMean(value, issue.options.map(String))}`;
  }
  return issue.message;
}

/**
 * zod reports a value no union branch accepts as one "Invalid input" holding every branch's issues. Keep the issues of
 * the branch the value meant, with full paths: the branch with the fewest unknown or missing keys at the value's top,
 * then the fewest issues (sources are settled by their kind before, in bySourceKind).
 */
function unwrapUnion(issue: Issue, input: unknown): Issue[] {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
  const value = valueAt(input, issue.path);
  const branches = issue.errors;
  // Scalars no branch takes: one line naming every accepted type.
  if (branches.every((b) => b.length === 1 && b[0].code === "invalid_type" && b[0].path.length === 0)) {
    const expected = branches.map((b) => (b[0] as z.core.$ZodIssueInvalidType).expected);
    return [{ ...branches[0][0], path: issue.path, message: `Invalid input: expected ${[...new Set(expected)].join(" or ")}` } as Issue];
  }
  const score = (b: Issue[]) => b.reduce((s, i) => s + (i.path.length === 0 && i.code === "unrecognized_keys" ? i.keys.length : i.path.length === 1 && i.code === "invalid_type" && valueAt(value, i.path) === undefined ? 1 : 0), 0);
  const chosen = branches.map((b, i) => [score(b), b.length, i]).sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2])[0][2];
  return branches[chosen].flatMap((i) => unwrapUnion({ ...i, path: [...issue.path, ...i.path] } as Issue, input));
}

function valueAt(input: unknown, fieldPath: readonly Key[]): unknown {
  let v = input;
  for (const k of fieldPath) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<Key, unknown>)[k];
  }
  return v;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function samePath(a: readonly Key[], b: readonly Key[]): boolean {
  return a.length === b.length && a.every((k, i) => String(k) === String(b[i]));
}

/** Where the deepest node on the path that exists starts: a missing key points at its parent. */
function nodeOffset(doc: Document, fieldPath: readonly Key[]): number {
  for (let n = fieldPath.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(fieldPath.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

/** Where a key of the map at `mapPath` is written. */
function keyOffset(doc: Document, mapPath: readonly Key[], key: string): number | undefined {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
}

type Json = { [k: string]: any };
const jsonSchemas = new Map<z.ZodType, Json>();

/** The keys the schema allows in the map at `fieldPath` (a source's by its kind; every branch's in other unions). */
function allowedKeys(fieldPath: readonly Key[], input: unknown): string[] {
  let schema: z.ZodType = projectSchema;
  let rest = fieldPath;
  const source = fieldPath[0] === "sources" && fieldPath.length >= 2 ? asRecord(valueAt(input, fieldPath.slice(0, 2))) : undefined;
  if (source !== undefined) [schema, rest] = [SOURCE_SCHEMAS[sourceKindOf(source as SourceConfig)], fieldPath.slice(2)];
  const root = jsonSchemas.get(schema) ?? (z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json);
  jsonSchemas.set(schema, root);
  const base = fieldPath.slice(0, fieldPath.length - rest.length);
  const expand = (s: Json): Json[] => [s, ...((s.anyOf ?? s.oneOf ?? s.allOf ?? []) as Json[]).flatMap(expand)];
  let nodes = expand(root);
  rest.forEach((k, i) => {
    const inList = Array.isArray(valueAt(input, [...base, ...rest.slice(0, i)]));
    nodes = nodes.flatMap((s) => {
      if (inList) return s.items ? expand(s.items) : [];
      const next = s.properties?.[k] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      return next ? expand(next) : [];
    });
  });
  return [...new Set(nodes.flatMap((s) => Object.keys(s.properties ?? {})))];
}
