// Turns a failing SQL model's DuckDB error into one that names the model's file and the line in that file: the SQL
// DuckDB sees is wrapped and rendered ({{ ref() }} expanded, template blocks removed), so its LINE is not the file's.
import { randomBytes } from "node:crypto";
import { ConfigError, isMillraceError } from "../errors.js";
import type { Duck } from "./duck.js";
import { stripTrailingSemicolons } from "./materialize.js";
import { renderSqlModel, type SqlModel } from "./sql-models.js";

/**
 * Binds the model's SQL, rendered line for line like its file, and throws a ConfigError at the file's line when
 * DuckDB refuses it (a typo'd column, a syntax error). Refs whose relation spans lines are bound through temporary
 * views, so every line stays where the file has it.
 */
export async function bindSqlModel(duck: Duck, model: SqlModel, resolve: (table: string) => string): Promise<void> {
  const views: [string, string][] = [];
  // Models of one run may fail at once on the shared connection: each bind names its views apart.
  const tag = randomBytes(4).toString("hex");
  const oneLine = (table: string) => {
    const rel = resolve(table);
    if (!rel.includes("\n")) return rel;
    const name = `millrace_ref_${tag}_${views.length}`;
    views.push([name, rel]);
    return name;
  };
  const sql = renderSqlModel(model, oneLine, { isIncremental: false, keepLines: true });
  try {
    for (const [name, rel] of views) await duck.run(`CREATE OR REPLACE TEMP VIEW ${name} AS SELECT * FROM ${rel}`);
    // One line ("SELECT * FROM (") before the model: DuckDB's LINE n is the file's line n - 1.
    await duck.describe(`SELECT * FROM (\n${stripTrailingSemicolons(sql)}\n)`).catch((e) => {
      throw modelSqlError(model, e, 1);
    });
  } finally {
    for (const [name] of views) await duck.run(`DROP VIEW IF EXISTS ${name}`).catch(() => undefined);
  }
}

/** A DuckDB error from the model's SQL, run `offset` lines below the file's first line, at the file's line. */
export function modelSqlError(model: SqlModel, e: unknown, offset: number): ConfigError {
  const text = e instanceof Error ? e.message : String(e);
  const m = /^LINE (\d+): /m.exec(text);
  if (!m) return new ConfigError(`${model.path}: ${text}`, { path: model.path, hint: `fix the SQL of ${model.name} in ${model.path}` });
  const line = Number(m[1]) - offset;
  const label = `LINE ${line}: `;
  // The caret under the excerpt is aligned to the label's width: move it with the label.
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.startsWith(m[0]));
  lines[at] = label + lines[at].slice(m[0].length);
  const caret = lines[at + 1];
  if (caret !== undefined && /^\s*\^\s*$/.test(caret)) {
    const shift = label.length - m[0].length;
    lines[at + 1] = shift >= 0 ? " ".repeat(shift) + caret : caret.slice(-shift);
  }
  return new ConfigError(`${model.path}:${line}: ${lines.join("\n")}`, {
    path: `${model.path}:${line}`,
    hint: `fix line ${line} of ${model.path} (the SQL model ${model.name})`,
  });
}

/**
 * What runSqlModel throws when building the model failed: a bind error at its file's line when the SQL does not
 * bind, otherwise the error itself (a DuckDB error prefixed with the model's file).
 */
export async function explainModelFailure(duck: Duck, model: SqlModel, resolve: (table: string) => string, e: unknown): Promise<unknown> {
  if (e instanceof ConfigError) return e; // a template or config problem, already naming the file
  try {
    await bindSqlModel(duck, model, resolve);
  } catch (bind) {
    if (bind instanceof ConfigError) return bind;
  }
  if (!(e instanceof Error) || e.message.includes(model.path)) return e;
  // It binds, so it failed while running (a cast of a value, say): the same error, its class and hint kept, with the
  // file named.
  if (isMillraceError(e)) {
    e.message = `${model.path}: ${e.message}`;
    return e;
  }
  return new Error(`${model.path}: ${e.message}`, { cause: e });
}
