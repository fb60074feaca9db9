// Row-level rules declared with `quarantine: true`, as the SQL predicates the lake applies while building a
// table: failing rows go to <table>__quarantine with the rule and the reason instead of into the table.
import type { ColumnSchema } from "../records.js";
import type { Lake, RowRule } from "../lake/lake.js";
import { relatedTable, type CheckOptions } from "./checks.js";
import { columnOf, isRowLevel, rowFailure } from "./rule-sql.js";
import { parseQualityRules, type QualityRule } from "./rules.js";

/**
 * The quarantine predicates for a table about to be built with columns `schema` (describe the model's SELECT).
 * Rules without `quarantine: true` are left to runChecks on the committed version.
 */
export async function quarantineRules(lake: Lake, table: string, rules: QualityRule[], schema: ColumnSchema[], opts: CheckOptions = {}): Promise<RowRule[]> {
  const out: RowRule[] = [];
  const checked = parseQualityRules(rules, `checks of ${table}`);
  for (let i = 0; i < checked.length; i++) {
    const rule = checked[i];
    if (!isRowLevel(rule) || !rule.quarantine) continue;
    const where = `checks of ${table}[${i}] (${rule.rule})`;
    const col = columnOf(schema, rule.column, table, where);
    const related = rule.rule === "relationships" ? await relatedTable(lake, rule, where, opts) : undefined;
    const f = rowFailure(rule, col, where, related);
    out.push({ rule: `${rule.rule}(${rule.column})`, failWhere: f.failWhere, reason: f.reason });
  }
  return out;
}
