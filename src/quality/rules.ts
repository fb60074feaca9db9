// The declared data-quality rules as zod schemas: one definition gives the TypeScript type, the validation of
// millrace.yaml (the project schema embeds qualityRuleSchema) and the messages a person can act on.
import { z } from "zod";
import { ValidationError } from "../errors.js";

const common = {
  severity: z.enum(["error", "warn"]).optional().describe("error stops the run; warn is reported only"),
  mostly: z.number().gt(0).lte(1).optional().describe("fraction of rows that must pass (default 1)"),
};
/** Row-level rules may move failing rows to <table>__quarantine when the table is built. */
const rowLevel = { ...common, quarantine: z.boolean().optional().describe("move failing rows to <table>__quarantine") };
const column = z.string().min(1).describe("column the rule applies to");
const bound = z.union([z.number(), z.string().min(1)]).describe("a number, or an ISO date/timestamp for date columns");
const minMax = z.object({ min: z.number().optional(), max: z.number().optional() }).strict();

export const notNullRuleSchema = z.object({ rule: z.literal("not_null"), column, ...rowLevel }).strict();
export const uniqueRuleSchema = z.object({ rule: z.literal("unique"), column, ...common }).strict();
export const acceptedValuesRuleSchema = z
  .object({ rule: z.literal("accepted_values"), column, values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1), ...rowLevel })
  .strict();
export const rangeRuleSchema = z
  .object({ rule: z.literal("range"), column, min: bound.optional(), max: bound.optional(), ...rowLevel })
  .strict()
  .refine((r) => r.min !== undefined || r.max !== undefined, { message: "a range rule needs min, max or both" })
  .refine((r) => typeof r.min !== "number" || typeof r.max !== "number" || r.min <= r.max, { message: "range min is above max" });
export const regexRuleSchema = z
  .object({ rule: z.literal("regex"), column, pattern: z.string().min(1), ...rowLevel })
  .strict()
  .refine((r) => { try { new RegExp(r.pattern); return true; } catch { return false; } }, { message: "pattern is not a valid regular expression" });
export const relationshipsRuleSchema = z
  .object({ rule: z.literal("relationships"), column, to: z.string().regex(/^\w+\.\w+$/, "to must be <layer>.<name>"), field: z.string().min(1), ...rowLevel })
  .strict();
export const schemaRuleSchema = z
  .object({
    rule: z.literal("schema"),
    columns: z.record(z.string(), z.string()).describe("column → type: number | integer | string | boolean | timestamp, or an engine type"),
    allow_extra: z.boolean().optional(),
    severity: common.severity,
  })
  .strict();
export const rowCountRuleSchema = z
  .object({ rule: z.literal("row_count"), min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional(), severity: common.severity })
  .strict()
  .refine((r) => r.min !== undefined || r.max !== undefined, { message: "a row_count rule needs min, max or both" });
export const freshnessRuleSchema = z
  .object({
    rule: z.literal("freshness"),
    column,
    max_age: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*(s|m|h|d)$/, "max_age is a number of seconds or like 30m, 24h, 7d")]),
    severity: common.severity,
  })
  .strict();
export const distributionRuleSchema = z
  .object({
    rule: z.literal("distribution"),
    column,
    mean: minMax.optional(),
    std: minMax.optional(),
    quantiles: z.record(z.string().regex(/^p\d{1,2}$/, "quantile keys are like p5, p50, p95"), minMax).optional(),
    severity: common.severity,
  })
  .strict()
  .refine((r) => r.mean || r.std || r.quantiles, { message: "a distribution rule needs mean, std or quantiles bounds" });

export const qualityRuleSchema = z.discriminatedUnion("rule", [
  notNullRuleSchema,
  uniqueRuleSchema,
  acceptedValuesRuleSchema,
  rangeRuleSchema,
  regexRuleSchema,
  relationshipsRuleSchema,
  schemaRuleSchema,
  rowCountRuleSchema,
  freshnessRuleSchema,
  distributionRuleSchema,
]);

export type QualityRule = z.infer<typeof qualityRuleSchema>;
export type Severity = "error" | "warn";
export const ROW_LEVEL_RULES = ["not_null", "accepted_values", "range", "regex", "relationships"] as const;

/** Validates rules given as plain data (YAML, JSON, TypeScript callers without types). */
export function parseQualityRules(rules: unknown, where = "checks"): QualityRule[] {
  const parsed = z.array(qualityRuleSchema).safeParse(rules);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const at = `${where}${issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;
  throw new ValidationError(`${at}: ${issue.message}`, {
    path: at,
    hint: `rules: ${qualityRuleSchema.options.map((o) => o.shape.rule.value).join(", ")}`,
  });
}

/** "24h" → seconds. */
export function ageSeconds(age: number | string): number {
  if (typeof age === "number") return age;
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(age)!;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
}
