// `millrace drift [project]`: compares the inputs a served model version has seen with its training rows.
import type { Command } from "commander";
import { driftOfVersion, referencesOf, resolveVersion, type VersionDrift } from "../../app/drift.js";
import { Workspace } from "../../app/workspace.js";
import { driftRule, type DriftReport } from "../../monitor/drift-report.js";
import { compactVersion } from "../../monitor/log-compact.js";
import { versionDir } from "../../monitor/prediction-log.js";
import { loadProject } from "../../project/load-project.js";
import { color, printJson, table } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { isoDate, positiveInt } from "../option-parsers.js";

export interface DriftOptions {
  alias?: string;
  version?: number;
  since?: string;
  limit?: number;
  json?: boolean;
}

export async function computeDrift(projectDir: string, opts: DriftOptions): Promise<VersionDrift> {
  const project = loadProject(projectDir);
  return Workspace.use(project, async (ws) => {
    const r = await ws.meta();
    const mv = await resolveVersion(r, { ...(opts.version ? { version: opts.version } : {}), ...(opts.alias ? { alias: opts.alias } : {}) });
    // Closed log files not compacted yet (no server running its monitoring, say) become Parquet parts first.
    await compactVersion(versionDir(project.paths.predictions, mv.name, mv.version));
    const { drift } = await driftOfVersion(project, mv, {
      reference: referencesOf(ws),
      ...(opts.since ? { since: opts.since } : {}),
      ...(opts.limit ? { limit: opts.limit } : {}),
    });
    return drift;
  });
}

export function printDrift(out: { model: string; version: number; datasetId: string; enoughRows: boolean; minRows: number; report: DriftReport }): void {
  const r = out.report;
  const fmt = (v: number | null, digits = 4) => (v === null ? "–" : v < 1e-4 && v > 0 ? v.toExponential(1) : v.toFixed(digits));
  console.log(`${color.bold("Drift")} ${out.model} v${out.version}: ${r.currentRows.toLocaleString("en-US")} logged rows vs ${r.referenceRows.toLocaleString("en-US")} training rows (dataset ${out.datasetId})`);
  console.log(
    table(
      ["column", "kind", "method", "statistic", "p-value", "threshold", "PSI", "verdict"],
      r.columns.map((c) => [
        c.column,
        c.kind,
        c.method,
        fmt(c.statistic),
        fmt(c.pValue),
        driftRule(c),
        c.psi === null ? "–" : `${fmt(c.psi, 3)} ${c.psiBand ?? ""}`,
        !out.enoughRows ? color.dim("too few rows") : c.drifted ? color.red("DRIFT") : color.green("ok"),
      ]),
    ),
  );
  if (!out.enoughRows) {
    console.log(
      color.yellow(`no verdict: ${r.currentRows} logged rows, fewer than monitor.min_rows = ${out.minRows}; send more traffic or lower monitor.min_rows in millrace.yaml`),
    );
    return;
  }
  const verdict = `${r.driftedColumns} of ${r.columns.length} columns drifted (${(r.driftShare * 100).toFixed(0)}%; dataset drift at ≥ ${(r.datasetShare * 100).toFixed(0)}%)`;
  console.log(r.datasetDrift ? color.red(`DATASET DRIFT: ${verdict}`) : color.green(`no dataset drift: ${verdict}`));
}

export function driftCommands(program: Command, action: ActionWrapper): void {
  program
    .command("drift")
    .argument("[project]", "project folder", ".")
    .description("drift of logged serving inputs against the training rows: KS / chi-square (small reference), Wasserstein / Jensen–Shannon, PSI; for a recommender, dataset.table's interactions it did not train on vs its training interactions")
    .option("-a, --alias <alias>", "model version by alias (default: the served alias)")
    .option("--version <n>", "model version number", positiveInt)
    .option("--since <iso-time>", "only predictions (a recommender: interactions by dataset.time) at or after this time, e.g. 2026-12-01", isoDate)
    .option("--limit <n>", "only the most recent n predictions (≥ 1)", positiveInt)
    .option("--json", "print the report as JSON")
    .action(
      action(async (dir: string, opts: DriftOptions) => {
        const project = loadProject(dir);
        if (project.config.dataset.task === "recommendation") {
          // A recommender: new interactions of dataset.table vs the version's training interactions (drift-recommender.ts).
          const { computeRecommenderDrift, printRecommenderDrift } = await import("./drift-recommender.js");
          const rec = await computeRecommenderDrift(project, opts);
          if (opts.json) printJson(rec);
          else printRecommenderDrift(rec);
          return rec.enoughRows && rec.report.drifted.length > 0 ? 3 : 0;
        }
        const out = await computeDrift(dir, opts);
        if (opts.json) printJson(out);
        else printDrift(out);
        return out.enoughRows && out.report.datasetDrift ? 3 : 0;
      }),
    );
}
