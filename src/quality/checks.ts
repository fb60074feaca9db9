// Runs declared quality rules against one table version in a single SQL pass and reports each rule's outcome,
// with `mostly` (the fraction of rows that must pass) and severities.
import { QualityError, ValidationError } from "../errors.js";
import type { TableRef } from "../records.js";
import type { Lake } from "../lake/lake.js";
import { ident, isNumericType } from "../lake/sql.js";
import { columnOf, isRowLevel, rowFailure, ruleError, schemaProblems, type RowFailure } from "./rule-sql.js";
import { ageSeconds, parseQualityRules, type QualityRule, type Severity } from "./rules.js";

export { qualityRuleSchema, parseQualityRules, type QualityRule } from "./rules.js";

export interface RuleResult {
  table: string;
  version: number;
  /** The rule's column, or "*" for table-level rules (schema, row_count). */
  column: string;
  rule: string;
  severity: Severity;
  passed: boolean;
  failing: number;
  total: number;
  message: string;
  /** The fraction of rows that must pass, and the fraction that did (row rules). */
  mostly?: number;
  passRate?: number;
  /** What a table-level rule measured (max age, mean, quantiles, ...). */
  observed?: Record<string, unknown>;
}

export interface CheckReport {
  table: TableRef;
  results: RuleResult[];
  errors: number;
  warnings: number;
  passed: boolean;
}

export interface CheckOptions {
  /** The version a relationships rule should read for a table; default: its current version. */
  versionOf?: (table: string) => TableRef | undefined;
}

/** Resolves the referenced table and column of a relationships rule. */
export async function relatedTable(lake: Lake, rule: { to: string; field: string }, where: string, opts: CheckOptions) {
  const ref = opts.versionOf?.(rule.to) ?? (await lake.current(rule.to));
  if (!ref) throw ruleError(where, `table ${rule.to} does not exist`, "relationships.to names a table of the lake, e.g. silver.customers");
  const v = await lake.version(ref);
  return { relation: lake.relation(ref), field: columnOf(v.schema, rule.field, `${ref.table}@${ref.version}`, where) };
}

interface Planned {
  rule: QualityRule;
  column: string;
  /** Aggregate expressions this rule needs, by name. */
  aggs: Record<string, string>;
  judge: (row: Record<string, unknown>, total: number) => Omit<RuleResult, "table" | "version" | "column" | "rule" | "severity" | "total">;
}

function rowJudge(rule: QualityRule & { mostly?: number }, f: RowFailure, key: string, label: string): Planned["judge"] {
  return (row, total) => {
    const failing = Number(row[key]);
    const mostly = rule.mostly ?? 1;
    const passRate = total ? (total - failing) / total : 1;
    const passed = passRate >= mostly;
    const rate = mostly < 1 ? ` (${(passRate * 100).toFixed(2)}% pass, mostly ${mostly})` : "";
    return {
      passed, failing, passRate, ...(rule.mostly !== undefined ? { mostly } : {}),
      message: failing === 0 ? `${label}: ok (${total} rows)` : `${label}: ${failing} of ${total} rows ${f.describe}${rate}`,
    };
  };
}

async function plan(lake: Lake, rule: QualityRule, i: number, ref: TableRef, relation: string, schema: Awaited<ReturnType<Lake["version"]>>["schema"], opts: CheckOptions): Promise<Planned> {
  const where = `checks of ${ref.table}[${i}] (${rule.rule})`;
  const at = `${ref.table}@${ref.version}`;
  const label = "column" in rule ? `${ref.table}.${rule.column} ${rule.rule}` : `${ref.table} ${rule.rule}`;
  const k = `r${i}`;
  if (isRowLevel(rule)) {
    const col = columnOf(schema, rule.column, at, where);
    const related = rule.rule === "relationships" ? await relatedTable(lake, rule, where, opts) : undefined;
    const f = rowFailure(rule, col, where, related);
    return { rule, column: rule.column, aggs: { [k]: `count(*) FILTER (WHERE ${f.failWhere})` }, judge: rowJudge(rule, f, k, label) };
  }
  switch (rule.rule) {
    case "unique": {
      const c = ident(columnOf(schema, rule.column, at, where).name);
      // Rows whose value appears more than once (NULLs are not values, so they never collide).
      const expr = `(SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM ${relation} WHERE ${c} IS NOT NULL GROUP BY ${c} HAVING count(*) > 1))`;
      return { rule, column: rule.column, aggs: { [k]: expr }, judge: rowJudge(rule, { failWhere: "", reason: "", describe: "share their value with another row" }, k, label) };
    }
    case "schema": {
      const problems = schemaProblems(schema, rule.columns, rule.allow_extra ?? true);
      return {
        rule, column: "*", aggs: {},
        judge: () => ({ passed: problems.length === 0, failing: problems.length, observed: { problems }, message: problems.length ? `${label}: ${problems.join("; ")}` : `${label}: ok` }),
      };
    }
    case "row_count":
      return {
        rule, column: "*", aggs: {},
        judge: (_row, total) => {
          const ok = (rule.min === undefined || total >= rule.min) && (rule.max === undefined || total <= rule.max);
          return { passed: ok, failing: ok ? 0 : 1, observed: { rows: total }, message: `${label}: ${total} rows${ok ? "" : `, expected [${rule.min ?? 0}, ${rule.max ?? "∞"}]`}` };
        },
      };
    case "freshness": {
      const col = columnOf(schema, rule.column, at, where);
      if (!/^(DATE|TIMESTAMP)/i.test(col.type)) throw ruleError(where, `freshness needs a date or timestamp column, ${col.name} is ${col.type}`, "cast it in a SQL model");
      const limit = ageSeconds(rule.max_age);
      return {
        rule, column: rule.column, aggs: { [k]: `epoch_ms(max(${ident(col.name)})::TIMESTAMP)` },
        judge: (row) => {
          const latest = row[k] === null ? null : Number(row[k]);
          const age = latest === null ? null : (Date.now() - latest) / 1000;
          const ok = age !== null && age <= limit;
          const newest = latest === null ? "no rows" : new Date(latest).toISOString();
          return { passed: ok, failing: ok ? 0 : 1, observed: { newest, ageSeconds: age }, message: `${label}: newest ${newest}${age === null ? "" : `, ${Math.round(age)} s old`} (max ${limit} s)` };
        },
      };
    }
    case "distribution": {
      const col = columnOf(schema, rule.column, at, where);
      if (!isNumericType(col.type)) throw ruleError(where, `distribution needs a numeric column, ${col.name} is ${col.type}`, "cast it in a SQL model");
      const c = ident(col.name);
      const aggs: Record<string, string> = { [`${k}_mean`]: `avg(${c})::DOUBLE`, [`${k}_std`]: `stddev_samp(${c})::DOUBLE` };
      for (const q of Object.keys(rule.quantiles ?? {})) aggs[`${k}_${q}`] = `quantile_cont(${c}, ${Number(q.slice(1)) / 100})::DOUBLE`;
      return {
        rule, column: rule.column, aggs,
        judge: (row) => {
          const observed: Record<string, number | null> = { mean: row[`${k}_mean`] as number | null, std: row[`${k}_std`] as number | null };
          const bounds: [string, { min?: number; max?: number }][] = [];
          if (rule.mean) bounds.push(["mean", rule.mean]);
          if (rule.std) bounds.push(["std", rule.std]);
          for (const [q, b] of Object.entries(rule.quantiles ?? {})) {
            observed[q] = row[`${k}_${q}`] as number | null;
            bounds.push([q, b]);
          }
          const off = bounds.filter(([name, b]) => {
            const v = observed[name];
            return v === null || (b.min !== undefined && v < b.min) || (b.max !== undefined && v > b.max);
          });
          const show = (name: string) => `${name} ${observed[name] === null ? "n/a" : Number(observed[name]).toPrecision(6)}`;
          return {
            passed: off.length === 0, failing: off.length, observed,
            message: off.length ? `${label}: ${off.map(([n, b]) => `${show(n)} outside [${b.min ?? "-inf"}, ${b.max ?? "+inf"}]`).join("; ")}` : `${label}: ok (${bounds.map(([n]) => show(n)).join(", ")})`,
          };
        },
      };
    }
  }
  throw new ValidationError(`${where}: unknown rule`);
}

export async function runChecks(lake: Lake, ref: TableRef, rules: QualityRule[], opts: CheckOptions = {}): Promise<CheckReport> {
  const checked = parseQualityRules(rules, `checks of ${ref.table}`);
  const version = await lake.version(ref);
  const relation = lake.relation(ref);
  const planned: Planned[] = [];
  for (let i = 0; i < checked.length; i++) planned.push(await plan(lake, checked[i], i, ref, relation, version.schema, opts));
  const aggs = planned.flatMap((p) => Object.entries(p.aggs));
  const [row] = await lake.query(`SELECT count(*) AS total${aggs.map(([k, e]) => `, ${e} AS ${k}`).join("")} FROM ${relation}`);
  const total = Number(row.total);
  const results: RuleResult[] = planned.map((p) => ({
    table: ref.table, version: ref.version, column: p.column, rule: p.rule.rule, severity: p.rule.severity ?? "error", total,
    ...p.judge(row, total),
  }));
  const errors = results.filter((r) => !r.passed && r.severity === "error").length;
  const warnings = results.filter((r) => !r.passed && r.severity === "warn").length;
  return { table: { table: ref.table, version: ref.version }, results, errors, warnings, passed: errors === 0 };
}

/** Throws a QualityError naming every failing error-level rule (table, column, rule, failing count). */
export function assertChecksPassed(report: CheckReport): void {
  if (report.passed) return;
  const failed = report.results.filter((r) => !r.passed && r.severity === "error");
  throw new QualityError(`quality checks failed on ${report.table.table}@${report.table.version}: ${failed.map((r) => r.message).join("; ")}`, {
    path: report.table.table,
    hint: "fix the data or the SQL model, lower the rule's severity to warn, or set mostly / quarantine on it",
    failed,
  });
}
