// The {{ config(...) }} block of a SQL model: how it is materialized (table, view, incremental, scd1, scd2)
// and the keys that needs, parsed from dbt-style keyword arguments and validated with zod.
import { z } from "zod";
import { ConfigError } from "../errors.js";

const names = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const modelConfigSchema = z
  .object({
    materialized: z.enum(["table", "view", "incremental", "scd1", "scd2"]).default("table"),
    unique_key: names.optional(),
    strategy: z.enum(["check", "timestamp"]).optional(),
    updated_at: z.string().optional(),
    tracked: names.optional(),
    invalidate_hard_deletes: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.materialized === "scd1" || c.materialized === "scd2") && !c.unique_key) {
      ctx.addIssue({ code: "custom", message: `materialized='${c.materialized}' needs unique_key`, path: ["unique_key"] });
    }
    if (c.materialized === "scd2" && c.strategy === "timestamp" && !c.updated_at) {
      ctx.addIssue({ code: "custom", message: "strategy='timestamp' needs updated_at", path: ["updated_at"] });
    }
  });

export type ModelConfig = z.infer<typeof modelConfigSchema>;

const TOKEN = /\s*([A-Za-z_]\w*)\s*=\s*('(?:[^']*)'|"(?:[^"]*)"|\[[^\]]*\]|true|false|True|False|-?\d+(?:\.\d+)?)\s*(,|$)/y;

function value(text: string): unknown {
  if (text.startsWith("'") || text.startsWith('"')) return text.slice(1, -1);
  if (text.startsWith("[")) {
    const inner = text.slice(1, -1).trim();
    return inner ? inner.split(",").map((s) => s.trim().replace(/^['"]|['"]$/g, "")) : [];
  }
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === "true";
  return Number(text);
}

/** Parses `materialized='incremental', unique_key=['a', 'b']` into a validated config. */
export function parseModelConfig(args: string, file: string): ModelConfig {
  const raw: Record<string, unknown> = {};
  const text = args.trim();
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new ConfigError(`${file}: cannot read config(${text}) near "${text.slice(at, at + 30)}"`, { path: file, hint: "write config(materialized='incremental', unique_key='id')" });
    raw[m[1]] = value(m[2]);
  }
  const parsed = modelConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${file}: config ${issue.path.join(".") || ""}: ${issue.message}`.replace(" : ", ": "), { path: file });
  }
  return parsed.data;
}
