// SQL models (dbt-style): files models/<layer>/<name>.sql that name their inputs with {{ ref('layer.name') }} or
// {{ source('name') }}, may declare {{ config(materialized=..., unique_key=...) }} and {% if is_incremental() %}
// blocks; loaded, ordered by their inputs, and rendered into plain DuckDB SQL.
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { parseModelConfig, type ModelConfig } from "./model-config.js";

export type { ModelConfig } from "./model-config.js";

export interface SqlModel {
  /** "<layer>.<name>", e.g. "silver.customers". */
  name: string;
  path: string;
  sql: string;
  /** Tables named by {{ ref() }} and {{ source() }}, deduplicated, in order of first use. */
  refs: string[];
  /** From {{ config(...) }}; absent means materialized as a table. */
  config?: ModelConfig;
}

const REF = /\{\{\s*ref\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*\)\s*\}\}/g;
const SOURCE = /\{\{\s*source\s*\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,\s*(?:'([^']*)'|"([^"]*)")\s*)?\)\s*\}\}/g;
const CONFIG = /\{\{\s*config\s*\(([\s\S]*?)\)\s*\}\}/g;
const THIS = /\{\{\s*this\s*\}\}/g;
const IF_INCREMENTAL = /\{%-?\s*if\s+is_incremental\s*\(\s*\)\s*-?%\}([\s\S]*?)(?:\{%-?\s*else\s*-?%\}([\s\S]*?))?\{%-?\s*endif\s*-?%\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** source('orders') is the bronze table the source "orders" lands in; source('layer', 'name') names a table. */
export function sourceTable(a: string, b?: string): string {
  return b === undefined ? `bronze.${a.trim()}` : `${a.trim()}.${b.trim()}`;
}

export function refsOf(sql: string): string[] {
  const found: { at: number; name: string }[] = [];
  for (const m of sql.matchAll(REF)) found.push({ at: m.index!, name: (m[1] ?? m[2]).trim() });
  for (const m of sql.matchAll(SOURCE)) found.push({ at: m.index!, name: sourceTable(m[1] ?? m[2], m[3] ?? m[4]) });
  const out: string[] = [];
  for (const f of found.sort((a, b) => a.at - b.at)) if (!out.includes(f.name)) out.push(f.name);
  return out;
}

/** Reads <dir>/<layer>/*.sql for every layer folder (silver, gold, ...); the model is named <layer>.<file stem>. */
export function loadSqlModels(modelsDir: string): SqlModel[] {
  if (!fs.existsSync(modelsDir)) return [];
  const models: SqlModel[] = [];
  const layers = fs.readdirSync(modelsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const layer of layers) {
    const dir = path.join(modelsDir, layer);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
      const stem = file.slice(0, -4);
      const full = path.join(dir, file);
      if (!NAME.test(layer) || !NAME.test(stem)) {
        throw new ConfigError(`SQL model file ${full} has a name that is not a table name`, {
          path: full,
          hint: "name folders and files with letters, digits and underscores, e.g. models/silver/customers.sql",
        });
      }
      const sql = fs.readFileSync(full, "utf8");
      const configs = [...sql.matchAll(CONFIG)];
      if (configs.length > 1) throw new ConfigError(`${full} has ${configs.length} config() blocks; one is allowed`, { path: full });
      const model: SqlModel = { name: `${layer}.${stem}`, path: full, sql, refs: refsOf(sql) };
      if (configs.length) model.config = parseModelConfig(configs[0][1], full);
      models.push(model);
    }
  }
  return models;
}

/**
 * Orders models so that every model comes after the models it refs (ties by name, so the order is stable).
 * A ref to neither a model nor an existing table, or a cycle, is a ConfigError naming the file / the cycle.
 */
export function orderSqlModels(models: SqlModel[], existingTables: string[]): SqlModel[] {
  const byName = new Map<string, SqlModel>();
  for (const m of models) {
    const dup = byName.get(m.name);
    if (dup) throw new ConfigError(`two SQL models are both named ${m.name}: ${dup.path} and ${m.path}`, { path: m.path });
    byName.set(m.name, m);
  }
  const existing = new Set(existingTables);
  for (const m of models) {
    for (const r of m.refs) {
      if (!byName.has(r) && !existing.has(r)) {
        throw new ConfigError(`${m.path} refs unknown table '${r}'`, {
          path: m.path,
          hint: `known tables: ${[...byName.keys(), ...existing].sort().join(", ") || "(none)"}`,
        });
      }
    }
  }
  const ordered: SqlModel[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (m: SqlModel, trail: string[]): void => {
    const s = state.get(m.name);
    if (s === "done") return;
    if (s === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(m.name)), m.name];
      throw new ConfigError(`SQL models ref each other in a cycle: ${cycle.join(" → ")}`, {
        path: m.path,
        hint: "a model cannot depend on itself, directly or through others; break the cycle",
      });
    }
    state.set(m.name, "visiting");
    for (const r of [...m.refs].sort()) {
      const dep = byName.get(r);
      if (dep) visit(dep, [...trail, m.name]);
    }
    state.set(m.name, "done");
    ordered.push(m);
  };
  for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) visit(m, []);
  return ordered;
}

export interface RenderOptions {
  /** Render the {% if is_incremental() %} branch (the table exists and only new rows are wanted). */
  isIncremental?: boolean;
  /** The relation of the model's own current version, for {{ this }}. */
  self?: string;
  /** Keep every line where it is in the file (removed template blocks leave their newlines), so that an error's
   *  line in the rendered SQL is the file's line. For diagnostics: the SQL run is rendered without it. */
  keepLines?: boolean;
}

const newlinesOf = (s: string | undefined) => "\n".repeat((s ?? "").split("\n").length - 1);

/** Replaces ref()/source() with resolve(table), drops config(), picks the is_incremental() branch, fills {{ this }}. */
export function renderSqlModel(model: SqlModel, resolve: (tableName: string) => string, opts: RenderOptions = {}): string {
  const keep = opts.keepLines ? newlinesOf : () => "";
  let sql = model.sql.replace(CONFIG, (all) => keep(all));
  sql = sql.replace(IF_INCREMENTAL, (all, yes: string, no: string | undefined) => {
    if (!opts.keepLines) return opts.isIncremental ? yes : no ?? "";
    // The chosen branch stays on its lines: the tags and the other branch become the newlines they held.
    const at = all.indexOf("%}") + 2; // the if tag ends where the incremental branch starts
    if (opts.isIncremental) return keep(all.slice(0, at)) + yes + keep(all.slice(at + yes.length));
    if (no === undefined) return keep(all);
    const noAt = all.lastIndexOf("{%") - no.length; // the else branch ends where the endif tag starts
    return keep(all.slice(0, noAt)) + no + keep(all.slice(noAt + no.length));
  });
  if (/\{%/.test(sql)) {
    throw new ConfigError(`${model.path} uses a template tag Millrace does not know`, {
      path: model.path,
      hint: "supported: {{ ref('t') }}, {{ source('s') }}, {{ config(...) }}, {{ this }}, {% if is_incremental() %}...{% else %}...{% endif %}",
    });
  }
  const unknown = /\{\{\s*(\w+)\s*\(/.exec(sql.replace(REF, "").replace(SOURCE, ""));
  if (unknown) {
    throw new ConfigError(`${model.path} calls {{ ${unknown[1]}() }}, which Millrace does not know`, {
      path: model.path, hint: "use ref(), source(), config() or is_incremental()",
    });
  }
  if (THIS.test(sql)) {
    if (!opts.self) throw new ConfigError(`${model.path} uses {{ this }} outside an is_incremental() block`, { path: model.path });
    sql = sql.replace(THIS, () => opts.self!);
  }
  sql = sql.replace(REF, (_all, a: string | undefined, b: string | undefined) => resolve((a ?? b ?? "").trim()));
  return sql.replace(SOURCE, (_all, a?: string, b?: string, c?: string, d?: string) => resolve(sourceTable((a ?? b)!, c ?? d)));
}
