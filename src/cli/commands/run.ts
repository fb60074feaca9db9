// `millrace run [project]`: runs the pipeline DAG and prints what it did.
import path from "node:path";
import { runPipeline } from "../../flow/pipeline.js";
import { withResources } from "../../flow/resources.js";
import type { PipelineSummary } from "../../flow/summary.js";
import { loadProject } from "../../project/load-project.js";
import { color, fmtMs, fmtNumber, printJson, table } from "../output.js";
import { taskReporter } from "../progress.js";

/** The ingest warnings of a run (a file whose rows were all quarantined, a lost or new column), one line each. */
export function ingestWarnings(s: PipelineSummary): string[] {
  return s.ingest.flatMap((i) => (i as { warnings?: string[] }).warnings ?? []);
}

export async function runCommand(
  projectDir: string, opts: { json?: boolean; quiet?: boolean; retrain?: boolean; strict?: boolean; trigger?: "manual" | "alert" | "file" | "schedule" },
): Promise<number> {
  const project = loadProject(projectDir);
  const reporter = taskReporter({ quiet: opts.json === true || opts.quiet === true });
  if (!opts.json && !opts.quiet) process.stderr.write(`${color.bold("millrace run")} ${project.config.name} ${color.dim(path.relative(process.cwd(), project.dir) || ".")}\n`);
  const summary = await withResources(project, (r) => runPipeline(r, { onEvent: reporter.onEvent, retrain: opts.retrain === true, trigger: opts.trigger ?? "manual" }));
  reporter.stop();
  const warnings = ingestWarnings(summary);
  if (opts.json) printJson(opts.strict ? { ...summary, strict: { failed: warnings.length > 0, warnings } } : summary);
  else {
    printSummary(summary);
    if (opts.strict && warnings.length) process.stderr.write(color.red(`--strict: ${warnings.length} ingest warning(s) make this run fail:\n${warnings.map((w) => `  ${w}`).join("\n")}\n`));
  }
  if (summary.status !== "succeeded") return 1;
  return opts.strict && warnings.length ? 1 : 0;
}

export function printSummary(s: PipelineSummary): void {
  const out: string[] = [""];
  if (s.ingest.length > 0) {
    out.push(color.bold("Ingest"));
    out.push(
      table(
        ["table", "version", "files new", "files skipped", "rows in", "rows out", "malformed"],
        s.ingest.map((i) => [i.table, `v${i.version}`, i.filesIngested.length, i.filesSkipped, i.rowsIn, i.rowsOut, i.rowsBad]),
      ),
    );
    for (const i of s.ingest) {
      for (const f of i.filesIngested.filter((f) => f.error || f.badRows > 0)) {
        out.push(color.yellow(`  ${path.basename(f.path)}: ${f.error ?? `${f.badRows} malformed rows quarantined in ${i.table}__quarantine, not loaded (their reasons: millrace query "select line, reason from ${i.table}__quarantine")`}`));
      }
    }
    for (const w of ingestWarnings(s)) out.push(color.yellow(`  warning: ${w}`));
    out.push("");
  }
  if (s.tables.length > 0) {
    out.push(color.bold("Tables"));
    out.push(
      table(
        ["table", "version", "rows", "quarantined", "state", "content hash"],
        s.tables.map((t) => [t.table, `v${t.version}`, t.rows, t.reused ? "" : t.quarantined, t.reused ? "unchanged" : "new version", t.contentHash.slice(0, 12)]),
      ),
    );
    out.push("");
  }
  if (s.checks.length > 0) {
    out.push(color.bold("Checks"));
    const rows = s.checks.flatMap((c) =>
      c.results.map((r) => [
        `${r.table}.${r.column}`,
        r.rule,
        r.severity,
        r.passed ? color.green("pass") : r.severity === "error" ? color.red("FAIL") : color.yellow("warn"),
        r.failing,
      ]),
    );
    out.push(table(["column", "rule", "severity", "result", "failing rows"], rows));
    out.push("");
  }
  if (s.dataset) {
    const d = s.dataset;
    out.push(`${color.bold("Dataset")} ${d.id} = ${d.table}@v${d.version} (hash ${d.contentHash.slice(0, 12)}), ${fmtNumber(d.rows)} rows: ${fmtNumber(d.trainRows)} train / ${fmtNumber(d.testRows)} test by ${d.splitBy}, ${d.features.length} features`);
    if (!s.training.trained) out.push(color.dim(`  training skipped: ${s.training.reason}`));
    out.push("");
  }
  if (s.candidates.length > 0) {
    out.push(color.bold("Runs"));
    const keys = [...new Set(s.candidates.flatMap((c) => Object.keys(c.test)))].filter((k) => ["roc_auc", "accuracy", "f1", "log_loss", "rmse", "mae", "r2", "f1_macro"].includes(k));
    const cvKey = s.candidates.some((c) => c.cv[`${s.metric}_mean`] !== undefined) ? `${s.metric}_mean` : undefined;
    out.push(
      table(
        ["candidate", "model", ...(cvKey ? [`cv ${cvKey.replace(/_mean$/, "")}`] : []), ...keys.map((k) => `test ${k}`), "train", "run id"],
        s.candidates.map((c) => [c.candidate, c.auto ? `${c.model} → ${c.auto.chosen}` : c.model, ...(cvKey ? [c.cv[cvKey]] : []), ...keys.map((k) => c.test[k]), `${c.trainSeconds.toFixed(2)} s`, c.runId.slice(0, 8)]),
      ),
    );
    out.push("");
  }
  if (s.model) {
    const m = s.model;
    out.push(`${color.bold("Model")} ${m.name} v${m.version} ${m.resumed ? "gated (registered by an interrupted run)" : "registered"} (${m.candidate})`);
    out.push(`  ${m.promoted ? color.green(`promoted to ${m.alias}`) : color.yellow(`not promoted to ${m.alias}`)}`);
    for (const c of m.checks) out.push(`  ${c.passed ? color.green("✔") : color.red("✘")} ${c.detail}`);
    out.push("");
  }
  for (const st of s.staleRuns ?? []) out.push(color.yellow(`marked failed: ${st.kind === "run" ? "training run" : "pipeline run"} ${st.id.slice(0, 8)} (${st.reason})`));
  if (s.failure) {
    out.push(color.red(`Failed at ${s.failure.task}: ${s.failure.message}`));
    if (s.failure.hint) out.push(`  hint: ${s.failure.hint}`);
    out.push("");
  }
  out.push(`${s.status === "succeeded" ? color.green("✔ succeeded") : color.red("✘ failed")} in ${fmtMs(s.durationMs)} ${color.dim(`(pipeline run ${s.pipelineRunId.slice(0, 8)})`)}`);
  process.stdout.write(out.join("\n") + "\n");
}
