// `millrace watch [project]`: runs the pipeline whenever new files settle in a landing folder (Autoloader-style),
// and optionally every N seconds (for PostgreSQL sources). Each run goes through the same checks and gate.
import { fileSources } from "../../project/source-kinds.js";
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { describeError } from "../../errors.js";
import { listLandingFiles } from "../../flow/landing-files.js";
import { runPipeline } from "../../flow/pipeline.js";
import { withResources } from "../../flow/resources.js";
import type { PipelineSummary } from "../../flow/summary.js";
import { loadProject, type Project } from "../../project/load-project.js";
import { color } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { durationSeconds } from "../option-parsers.js";

/** Path, size and mtime of every landing file: changes when a file arrives, grows or is replaced. */
export function landingSignature(project: Project): string {
  const parts: string[] = [];
  for (const s of fileSources(project.config.sources)) {
    for (const f of listLandingFiles(path.resolve(project.dir, s.path), s.pattern)) {
      const st = fs.statSync(f, { throwIfNoEntry: false });
      if (st) parts.push(`${f}:${st.size}:${st.mtimeMs}`);
    }
  }
  return parts.join("\n");
}

export interface WatchOptions {
  interval: number;
  settle: number;
  every?: number;
  json?: boolean;
}

export async function watchCommand(dir: string, opts: WatchOptions): Promise<number> {
  const project = loadProject(dir);
  const intervalMs = opts.interval * 1000;
  const settleMs = opts.settle * 1000;
  const everyMs = opts.every ? opts.every * 1000 : 0;
  let ranFor: string | null = null;
  let seen = landingSignature(project);
  let seenSince = Date.now();
  let lastRun = 0;
  let stopping = false;
  const log = (s: string) => !opts.json && process.stderr.write(`${color.dim(new Date().toISOString().slice(11, 19))} ${s}\n`);
  const report = (s: PipelineSummary) => {
    if (opts.json) process.stdout.write(JSON.stringify(s) + "\n");
    else {
      const ing = s.ingest.map((i) => `${i.table} +${i.rowsOut} rows`).join(", ");
      const model = s.model ? `${s.model.name} v${s.model.version} ${s.model.promoted ? "promoted" : "not promoted"}` : s.training.trained ? "" : "no retraining";
      log(`${s.status === "succeeded" ? color.green("✔") : color.red("✘")} run ${s.pipelineRunId.slice(0, 8)} in ${(s.durationMs / 1000).toFixed(1)} s: ${ing} ${model}${s.failure ? color.red(` — ${s.failure.message}`) : ""}`);
    }
  };
  process.once("SIGINT", () => (stopping = true));
  process.once("SIGTERM", () => (stopping = true));
  log(`watching ${fileSources(project.config.sources).map((s) => s.path).join(", ")} of ${project.config.name}${everyMs ? `, and running every ${opts.every} s` : ""}; Ctrl-C stops`);
  while (!stopping) {
    const now = Date.now();
    const sig = landingSignature(project);
    if (sig !== seen) {
      seen = sig;
      seenSince = now;
    }
    const settled = now - seenSince >= settleMs;
    const due = (settled && seen !== ranFor) || (everyMs > 0 && now - lastRun >= everyMs);
    if (due) {
      ranFor = seen;
      lastRun = now;
      try {
        report(await withResources(project, (r) => runPipeline(r, { trigger: "file" })));
      } catch (e) {
        log(color.red(`run failed: ${describeError(e)}`));
      }
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return 0;
}

export function watchCommands(program: Command, action: ActionWrapper): void {
  program
    .command("watch")
    .argument("[project]", "project folder", ".")
    .description("run the pipeline whenever new files settle in the landing folders (and every N seconds with --every)")
    .option("--interval <duration>", "how often to look: seconds or e.g. 5s, 1m", durationSeconds, 2)
    .option("--settle <duration>", "how long a file must stay unchanged before it is read: seconds or e.g. 10s", durationSeconds, 1)
    .option("--every <duration>", "also run this often (pull-based sources such as PostgreSQL): seconds or e.g. 30s, 5m", durationSeconds)
    .option("--json", "print each run's summary as one JSON line")
    .action(action((dir: string, opts: WatchOptions) => watchCommand(dir, opts)));
}
