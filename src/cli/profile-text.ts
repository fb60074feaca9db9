// `millrace profile` in text mode: one line per column (type, nulls, distinct, range, quartiles, top values), not JSON.
import type { TableProfile } from "../lake/profile.js";
import { color, fmtNumber, table } from "./output.js";

const cell = (v: number | string | null | undefined): string => (v === null || v === undefined ? "" : typeof v === "number" ? fmtNumber(v) : v);

/** The profile as an aligned table under a one-line header; --json prints the full profile instead. */
export function profileText(p: TableProfile): string {
  const header = `${color.bold(`${p.table}@${p.version}`)}: ${fmtNumber(p.rowCount)} rows, ${p.columns.length} columns (profiled ${p.computedAt.slice(0, 19).replace("T", " ")})`;
  const rows = p.columns.map((c) => {
    const q = c.quantiles;
    const top = (c.top ?? []).slice(0, 3).map((t) => `${t.value ?? "null"} (${fmtNumber(t.count)})`).join(", ");
    return [
      c.name,
      c.type,
      c.nulls === 0 ? "0" : `${fmtNumber(c.nulls)} (${(c.nullPct * 100).toFixed(1)}%)`,
      fmtNumber(c.distinct),
      cell(c.min),
      cell(c.max),
      c.mean === undefined || c.mean === null ? "" : fmtNumber(c.mean),
      q ? [q.p25, q.p50, q.p75].map(cell).join(" / ") : "",
      top,
    ];
  });
  return `${header}\n${table(["column", "type", "nulls", "distinct", "min", "max", "mean", "p25 / p50 / p75", "top values"], rows)}`;
}
