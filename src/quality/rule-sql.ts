// Turns each quality rule into SQL over one table version: a predicate for the rows that fail a row-level rule,
// or an aggregate for table-level rules; column and type problems are ValidationErrors naming them.
import { ValidationError } from "../errors.js";
import type { ColumnSchema } from "../records.js";
import { ident, isNumericType, lit } from "../lake/sql.js";
import { ROW_LEVEL_RULES, type QualityRule } from "./rules.js";

/** Rules judged row by row (a failing row can be quarantined); the list is ROW_LEVEL_RULES in rules.ts. */
export type RowLevelRule = Extract<QualityRule, { rule: (typeof ROW_LEVEL_RULES)[number] }>;

const ROW_LEVEL: ReadonlySet<string> = new Set(ROW_LEVEL_RULES);

export function isRowLevel(rule: QualityRule): rule is RowLevelRule {
  return ROW_LEVEL.has(rule.rule);
}

const isTemporal = (type: string) => /^(DATE|TIMESTAMP)/i.test(type);

export function ruleError(where: string, message: string, hint: string): ValidationError {
  return new ValidationError(`${where}: ${message}`, { path: where, hint });
}

/** The column a rule names, or a ValidationError naming it and listing the table's columns. */
export function columnOf(schema: ColumnSchema[], name: string, table: string, where: string): ColumnSchema {
  const col = schema.find((c) => c.name === name);
  if (!col) {
    throw new ValidationError(`${where}: column "${name}" does not exist in ${table}`, {
      path: `${table.split("@")[0]}.${name}`,
      hint: `columns of ${table}: ${schema.map((c) => c.name).join(", ")}`,
    });
  }
  return col;
}

/** A SQL predicate that is true for rows that break accepted_values, typed by the column. */
function notAccepted(col: ColumnSchema, values: (string | number | boolean)[], where: string): string {
  const c = ident(col.name);
  const type = col.type.toUpperCase();
  if (isNumericType(type)) {
    const nums = values.map((v) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN));
    const bad = values.find((_, i) => !Number.isFinite(nums[i]));
    if (bad !== undefined) {
      throw ruleError(where, `value ${JSON.stringify(bad)} can never match the numeric column ${col.name} (${col.type})`, "list numbers for a numeric column");
    }
    return `${c} IS NOT NULL AND ${c} NOT IN (${nums.join(", ")})`;
  }
  if (type === "BOOLEAN") {
    const bools = values.map((v) => (typeof v === "boolean" ? v : String(v).toLowerCase()));
    const bad = bools.find((v) => v !== true && v !== false && v !== "true" && v !== "false");
    if (bad !== undefined) throw ruleError(where, `value ${JSON.stringify(bad)} is not a boolean`, "use true / false");
    return `${c} IS NOT NULL AND ${c} NOT IN (${bools.map((b) => String(b === true || b === "true")).join(", ")})`;
  }
  return `${c} IS NOT NULL AND CAST(${c} AS VARCHAR) NOT IN (${values.map((v) => lit(String(v))).join(", ")})`;
}

function boundSql(col: ColumnSchema, b: number | string, where: string): string {
  if (isNumericType(col.type)) {
    if (typeof b !== "number") throw ruleError(where, `bound ${JSON.stringify(b)} is not a number, ${col.name} is ${col.type}`, "use numbers");
    return String(b);
  }
  if (isTemporal(col.type)) {
    if (Number.isNaN(Date.parse(String(b)))) throw ruleError(where, `bound ${JSON.stringify(b)} is not a date`, "use ISO dates, e.g. 2024-01-31");
    return `CAST(${lit(String(b))} AS ${col.type})`;
  }
  throw ruleError(where, `range needs a numeric or date column, ${col.name} is ${col.type}`, "cast the column in a SQL model first");
}

export interface RowFailure {
  /** True for a row that fails the rule. */
  failWhere: string;
  /** SQL expression giving the reason text for a failing row. */
  reason: string;
  /** Words for the report: "<n> of <total> rows <describe>". */
  describe: string;
}

/** The failing-row predicate of a row-level rule. `related` is the relation of the table a relationships rule names. */
export function rowFailure(rule: RowLevelRule, col: ColumnSchema, where: string, related?: { relation: string; field: ColumnSchema }): RowFailure {
  const c = ident(col.name);
  const shown = `CAST(${c} AS VARCHAR)`;
  switch (rule.rule) {
    case "not_null":
      return { failWhere: `${c} IS NULL`, reason: lit(`${col.name} is null`), describe: "are null" };
    case "accepted_values":
      return {
        failWhere: notAccepted(col, rule.values, where),
        reason: `${lit(`${col.name} not in accepted values: `)} || ${shown}`,
        describe: `are not one of ${JSON.stringify(rule.values)}`,
      };
    case "range": {
      const conds = [];
      if (rule.min !== undefined) conds.push(`${c} < ${boundSql(col, rule.min, where)}`);
      if (rule.max !== undefined) conds.push(`${c} > ${boundSql(col, rule.max, where)}`);
      const span = `[${rule.min ?? "-inf"}, ${rule.max ?? "+inf"}]`;
      return { failWhere: `(${conds.join(" OR ")})`, reason: `${lit(`${col.name} outside ${span}: `)} || ${shown}`, describe: `are outside ${span}` };
    }
    case "regex":
      return {
        failWhere: `${c} IS NOT NULL AND NOT regexp_matches(${shown}, ${lit(rule.pattern)})`,
        reason: `${lit(`${col.name} does not match /${rule.pattern}/: `)} || ${shown}`,
        describe: `do not match /${rule.pattern}/`,
      };
    case "relationships": {
      const f = ident(related!.field.name);
      return {
        failWhere: `${c} IS NOT NULL AND ${c} NOT IN (SELECT ${f} FROM ${related!.relation} WHERE ${f} IS NOT NULL)`,
        reason: `${lit(`${col.name} has no match in ${rule.to}.${rule.field}: `)} || ${shown}`,
        describe: `have no match in ${rule.to}.${rule.field}`,
      };
    }
  }
}

const FAMILY: Record<string, (t: string) => boolean> = {
  number: (t) => isNumericType(t),
  integer: (t) => /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)$/i.test(t),
  string: (t) => /^VARCHAR/i.test(t),
  boolean: (t) => /^BOOLEAN$/i.test(t),
  timestamp: (t) => isTemporal(t),
};

/** Problems of a schema rule against a version's columns (missing, wrong type, unexpected). */
export function schemaProblems(schema: ColumnSchema[], expected: Record<string, string>, allowExtra: boolean): string[] {
  const problems: string[] = [];
  for (const [name, type] of Object.entries(expected)) {
    const col = schema.find((c) => c.name === name);
    if (!col) problems.push(`${name} is missing`);
    else if (!(FAMILY[type.toLowerCase()]?.(col.type) ?? col.type.toUpperCase() === type.toUpperCase())) problems.push(`${name} is ${col.type}, expected ${type}`);
  }
  if (!allowExtra) {
    for (const c of schema) if (!(c.name in expected) && !c.name.startsWith("_")) problems.push(`${c.name} is not declared`);
  }
  return problems;
}
