// The millrace.yaml reference, generated from the zod schema (types, defaults, choices, descriptions), so the
// document cannot drift from what the loader accepts. `npm run docs:config` writes docs/config.md from it.
import { z } from "zod";
import { projectSchema } from "./config.js";

type Json = { [k: string]: any };

interface Row {
  key: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

/** The whole reference as Markdown. */
export function configReference(): string {
  const root = z.toJSONSchema(projectSchema, { io: "input", unrepresentable: "any" }) as Json;
  const out: string[] = [
    "# millrace.yaml reference",
    "",
    "Generated from the schema in `src/project/config.ts` by `npm run docs:config`; a test fails when this file is stale.",
    "Keys are written `a.b.c`; `[]` marks a list item and `<name>` a key you choose. `${ENV}` in strings is read from the environment where noted.",
    "",
  ];
  const top: Row[] = [];
  const parts: string[] = [];
  for (const [name, prop] of Object.entries<Json>(root.properties)) {
    const rows: Row[] = [];
    const sections: { title: string; rows: Row[] }[] = [];
    walk(name, prop, (root.required ?? []).includes(name), rows, sections);
    if (rows.length === 1 && rows[0].key === name && sections.length === 0) {
      top.push(rows[0]);
      continue;
    }
    parts.push(`## ${name}`, "");
    if (prop.description) parts.push(prop.description, "");
    parts.push(...tableOf(rows), "");
    for (const s of sections) parts.push(`### ${s.title}`, "", ...tableOf(s.rows), "");
  }
  out.push("## Top level", "", ...tableOf(top), "", ...parts);
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

function tableOf(rows: Row[]): string[] {
  if (rows.length === 0) return [];
  const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  return [
    "| key | type | default | description |",
    "|---|---|---|---|",
    ...rows.map((r) => `| \`${cell(r.key)}\`${r.required ? " (required)" : ""} | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`),
  ];
}

/** Object-like members of a union: the variants a list item may take (file or PostgreSQL source, one quality rule each). */
function variants(s: Json): Json[] | null {
  const list = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (!list || !list.every((v) => v.type === "object" && v.properties)) return null;
  return list;
}

function walk(key: string, s: Json, required: boolean, rows: Row[], sections: { title: string; rows: Row[] }[]): void {
  const items = s.type === "array" ? (s.items as Json) : null;
  const union = variants(items ?? s);
  if (union) {
    // A list of kinds (sources) or one object of several kinds (dataset: tabular or recommendation).
    const [name, prefix] = items ? [`${key}[]`, ""] : [key, `${key}.`];
    rows.push(row(key, s, required, `${items ? "list of" : "one of"} ${union.length} kinds (below)`));
    union.forEach((v) => {
      const tag = Object.entries<Json>(v.properties).find(([, p]) => p.const !== undefined || (!items && p.enum));
      const title = tag ? `${name} with ${tag[0]}: ${tag[1].const ?? tag[1].enum.join(" | ")}` : `${name} with ${Object.keys(v.properties).filter((k) => (v.required ?? []).includes(k)).join(" + ")}`;
      const sub: Row[] = [];
      for (const [k, p] of Object.entries<Json>(v.properties)) walk(`${prefix}${k}`, p, (v.required ?? []).includes(k), sub, sections);
      sections.push({ title, rows: sub });
    });
    return;
  }
  if (items?.type === "object" && items.properties) {
    rows.push(row(key, s, required, "list"));
    for (const [k, p] of Object.entries<Json>(items.properties)) walk(`${key}[].${k}`, p, (items.required ?? []).includes(k), rows, sections);
    return;
  }
  if (s.type === "object" && s.properties) {
    if (s.description) rows.push(row(key, s, required, "object"));
    for (const [k, p] of Object.entries<Json>(s.properties)) walk(`${key}.${k}`, p, (s.required ?? []).includes(k), rows, sections);
    return;
  }
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
    const value = s.additionalProperties as Json;
    const inner = value.type === "array" ? (value.items as Json) : value;
    if (variants(inner)) {
      rows.push(row(`${key}.<name>`, s, required, `map of ${value.type === "array" ? "lists" : "values"} (kinds below)`));
      walk(`${key}.<name>`, value, false, [], sections);
      return;
    }
    rows.push(row(`${key}.<name>`, s, required, `map of ${typeOf(value)}`));
    return;
  }
  rows.push(row(key, s, required, typeOf(s)));
}

function row(key: string, s: Json, required: boolean, type: string): Row {
  const hasDefault = s.default !== undefined && !(typeof s.default === "object" && s.default !== null && Object.keys(s.default).length === 0 && !Array.isArray(s.default));
  return { key, type, required: required && s.default === undefined, default: hasDefault ? JSON.stringify(s.default) : "", description: s.description ?? "" };
}

function typeOf(s: Json): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return `one of ${s.enum.map((v: unknown) => JSON.stringify(v)).join(", ")}`;
  const union = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (union) return union.map(typeOf).join(" or ");
  // zod's int() adds the safe-integer range as bounds: not worth printing.
  const lo = s.minimum !== undefined && s.minimum > Number.MIN_SAFE_INTEGER ? `≥ ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : "";
  const hi = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `≤ ${s.maximum}` : s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : "";
  const bounds = [lo, hi].filter(Boolean).join(", ");
  switch (s.type) {
    case "array":
      return `list of ${s.items ? typeOf(s.items) : "values"}`;
    case "integer":
      return `integer${bounds ? ` (${bounds})` : ""}`;
    case "number":
      return `number${bounds ? ` (${bounds})` : ""}`;
    case "string":
      return s.pattern === "^[A-Za-z_][A-Za-z0-9_]*$" ? "identifier" : "string";
    case "object":
      return s.additionalProperties && typeof s.additionalProperties === "object" ? `map of ${typeOf(s.additionalProperties)}` : "object";
    case undefined:
      return "any";
    default:
      return String(s.type);
  }
}
