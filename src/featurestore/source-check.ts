// Checks feature views against the lake tables they read: every join key, timestamp and feature must be a column of
// the source, of a type that fits; a problem is a ConfigError naming millrace.yaml's file:line of the key at fault.
import fs from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument, isNode } from "yaml";
import { ConfigError } from "../errors.js";
import { isIntegerType, isNumericType } from "../lake/sql.js";
import type { ColumnSchema } from "../records.js";
import { PROJECT_FILE, type Project } from "../project/load-project.js";
import { entityOf, type FeatureStoreConfig, type FeatureType, type FeatureViewConfig } from "./definitions.js";

/** "millrace.yaml:12:9" for a key path of the project file (the nearest node that exists), or the bare file name. */
export function yamlLine(project: Project, keyPath: (string | number)[]): string {
  const file = path.join(project.dir, PROJECT_FILE);
  if (!fs.existsSync(file)) return `${PROJECT_FILE} (${keyPath.join(".")})`;
  const lc = new LineCounter();
  const doc = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter: lc });
  let node: unknown;
  for (let n = keyPath.length; n >= 0 && !isNode(node); n--) node = n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true);
  const offset = isNode(node) && node.range ? node.range[0] : 0;
  const { line, col } = lc.linePos(offset);
  return `${PROJECT_FILE}:${line}:${col}`;
}

/** Whether a column of DuckDB type `engine` can hold a feature declared `declared`. */
export function typeFits(declared: FeatureType, engine: string): boolean {
  switch (declared) {
    case "number":
      return isNumericType(engine);
    case "integer":
      return isIntegerType(engine);
    case "boolean":
      return /^BOOL(EAN)?$/i.test(engine);
    case "timestamp":
      return /^(TIMESTAMP.*|DATE)$/i.test(engine);
    case "string":
      return /^(VARCHAR|TEXT|STRING|ENUM.*|UUID)$/i.test(engine);
  }
}

export const isTimeType = (engine: string) => /^(TIMESTAMP.*|DATE)$/i.test(engine);

/** Throws a ConfigError (file:line) when a view's source lacks a column it names or holds it with another type. */
export function checkViewColumns(project: Project, store: FeatureStoreConfig, view: FeatureViewConfig, schema: ColumnSchema[]): void {
  const index = store.feature_views.indexOf(view);
  const at = (...rest: (string | number)[]) => yamlLine(project, ["feature_store", "feature_views", index, ...rest]);
  const cols = new Map(schema.map((c) => [c.name, c.type]));
  const have = `${view.source} has ${schema.map((c) => c.name).join(", ")}`;
  const missing = (what: string, col: string, where: string) =>
    new ConfigError(`${where} feature view ${view.name}: ${what} "${col}" is not a column of ${view.source}`, { path: where, hint: have });
  for (const key of entityOf(store, view).join_keys) {
    if (!cols.has(key)) throw missing(`join key (entity ${view.entity})`, key, at("entity"));
  }
  const tsType = cols.get(view.timestamp);
  if (tsType === undefined) throw missing("timestamp", view.timestamp, at("timestamp"));
  if (!isTimeType(tsType)) {
    throw new ConfigError(`${at("timestamp")} feature view ${view.name}: timestamp "${view.timestamp}" is ${tsType}, not a TIMESTAMP or DATE`, {
      path: at("timestamp"), hint: `cast it in the SQL model that builds ${view.source}, e.g. CAST(${view.timestamp} AS TIMESTAMP)`,
    });
  }
  if (view.created_timestamp && !cols.has(view.created_timestamp)) throw missing("created_timestamp", view.created_timestamp, at("created_timestamp"));
  view.features.forEach((f, j) => {
    const t = cols.get(f.name);
    if (t === undefined) throw missing("feature", f.name, at("features", j, "name"));
    if (!typeFits(f.type, t)) {
      throw new ConfigError(`${at("features", j, "type")} feature view ${view.name}: feature "${f.name}" is declared ${f.type} but ${view.source} holds ${t}`, {
        path: at("features", j, "type"), hint: `declare type: ${guessType(t)}, or cast the column in the model that builds ${view.source}`,
      });
    }
  });
}

function guessType(engine: string): FeatureType {
  for (const t of ["integer", "number", "boolean", "timestamp", "string"] as const) if (typeFits(t, engine)) return t;
  return "string";
}
