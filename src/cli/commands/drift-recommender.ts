// `millrace drift` on a recommendation project: new interactions of dataset.table vs a version's training interactions.
import { recommenderDrift, type RecommenderDrift } from "../../app/recommender-drift.js";
import { resolveVersion } from "../../app/drift.js";
import { Workspace } from "../../app/workspace.js";
import { driftRule } from "../../monitor/drift-report.js";
import type { Project } from "../../project/load-project.js";
import { color, table } from "../output.js";

export function computeRecommenderDrift(project: Project, opts: { alias?: string; version?: number; since?: string }): Promise<RecommenderDrift> {
  return Workspace.use(project, async (ws) => {
    const mv = await resolveVersion(await ws.meta(), { ...(opts.version ? { version: opts.version } : {}), ...(opts.alias ? { alias: opts.alias } : {}) });
    return recommenderDrift(ws, mv, opts.since !== undefined ? { since: opts.since } : {});
  });
}

export function printRecommenderDrift(out: RecommenderDrift): void {
  const r = out.report;
  const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? "–" : v < 1e-4 && v > 0 ? v.toExponential(1) : v.toFixed(digits));
  const verdict = (drifted: boolean) => (!out.enoughRows ? color.dim("too few rows") : drifted ? color.red("DRIFT") : color.green("ok"));
  console.log(
    `${color.bold("Interaction drift")} ${out.model} v${out.version}: ${r.currentRows.toLocaleString("en-US")} interactions of ${out.table} it did not train on` +
      `${out.since ? ` (since ${out.since})` : ""} vs its ${r.referenceRows.toLocaleString("en-US")} training interactions`,
  );
  const rows: string[][] = [];
  for (const [name, c] of [["rating", r.rating], ["items", r.items], ["item popularity", r.itemPopularity], ["user activity", r.userActivity]] as const) {
    if (c) rows.push([name, c.method, fmt(c.statistic), fmt(c.pValue), driftRule(c), c.psi === null ? "–" : fmt(c.psi, 3), verdict(c.drifted)]);
  }
  for (const [name, s] of [["new users", r.newUsers], ["new items", r.newItems]] as const) {
    if (s) rows.push([name, "share", fmt(s.share), "–", `≥ ${s.threshold}`, "–", verdict(s.drifted)]);
  }
  console.log(table(["part", "method", "statistic", "p-value", "threshold", "PSI", "verdict"], rows));
  if (!out.enoughRows) console.log(color.yellow(`no verdict: ${r.currentRows} interactions, fewer than monitor.min_rows = ${out.minRows}`));
  else console.log(r.drifted.length ? color.red(`DRIFT: ${r.drifted.join(", ")}`) : color.green("no drift"));
}
