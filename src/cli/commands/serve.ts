// `millrace serve` (HTTP server for the promoted model, one process or a cluster) and `millrace up` (run, then serve).
import cluster from "node:cluster";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { loadProject, type Project } from "../../project/load-project.js";
import { runClustered } from "../../serve/cluster.js";
import { resolveServeTokens } from "../serve-tokens.js";
import { color, printJson } from "../output.js";
import { runCommand } from "./run.js";
import type { ActionWrapper } from "./action.js";
import { startBackgroundScheduler } from "./scheduler.js";
import { port } from "../option-parsers.js";

export interface ServeOptions {
  port?: number;
  host?: string;
  alias?: string;
  workers?: string;
  json?: boolean;
}

const stamp = () => color.dim(new Date().toISOString().slice(11, 19));

/** Starts serving and resolves once the server (or every cluster worker) listens; the process then runs until a signal. */
export async function serveProject(project: Project, opts: ServeOptions): Promise<number> {
  const cfg = project.config;
  // Token mistakes (an empty MILLRACE_API_TOKEN) fail here once, not in every cluster worker.
  resolveServeTokens(cfg.serve);
  const workersOpt = opts.workers ?? String(cfg.serve.workers);
  const workers = workersOpt === "auto" ? os.availableParallelism() : Math.max(1, Number(workersOpt));
  const first = !cluster.isWorker || cluster.worker?.id === 1;
  // Events go to stderr in every mode: --json keeps stdout for the one JSON document.
  const log = (line: string) => process.stderr.write(`${stamp()} ${cluster.isWorker ? color.dim(`[${cluster.worker?.id}] `) : ""}${line}\n`);
  const handle = await runClustered({ workers }, async () => {
    // Serving code is loaded in the worker only: a cluster primary starts with nothing but node:cluster.
    const { startServeProcess } = await import("../serve-process.js");
    const { startServeMonitoring } = await import("../serve-monitoring.js");
    const sp = await startServeProcess(project, {
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(opts.alias !== undefined ? { alias: opts.alias } : {}),
      log,
    });
    // Drift, alerts and retraining run once per server, not once per worker.
    const monitoring = first ? startServeMonitoring(project, sp, log) : null;
    if (first) announce(project, sp.server.url, sp.primary.current()?.provenance ?? null, await exampleOf(sp), workers, opts, sp.warnings);
    return {
      registry: sp.metrics,
      close: async () => {
        monitoring?.stop();
        await sp.close();
      },
    };
  });
  if (handle.isPrimary && cluster.isPrimary && workers > 1) {
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    log("draining in-flight requests…");
    await handle.stop();
  }
  return 0;
}

async function exampleOf(sp: Awaited<ReturnType<typeof import("../serve-process.js").startServeProcess>>): Promise<Record<string, unknown> | null> {
  const served = sp.primary.current();
  if (!served) return null;
  const mv = await sp.resources.registry.get(served.provenance.model, served.provenance.version).catch(() => null);
  // A feature-service model is asked with its entity keys and request fields, not its features.
  const { requestExample } = await import("../../serve/feature-lookup.js");
  return requestExample(served, mv?.inputExample ?? null);
}

/** A shell-safe word: plain paths as they are, anything else in single quotes. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `millrace drift` line that reports on what this server serves: the project folder as seen from `cwd` (a sibling
 * folder whose name merely starts like cwd is not inside it), and --alias when the served alias is not the default.
 */
export function driftCommand(projectDir: string, cwd: string, servedAlias: string, defaultAlias: string): string {
  const rel = path.relative(cwd, projectDir);
  const where = rel === "" ? "." : rel.startsWith("..") || path.isAbsolute(rel) ? projectDir : rel;
  return `millrace drift ${shellWord(where)}${servedAlias !== defaultAlias ? ` --alias ${shellWord(servedAlias)}` : ""}`;
}

function announce(project: Project, url: string, model: unknown, example: Record<string, unknown> | null, workers: number, opts: ServeOptions, warnings: string[]): void {
  // Warnings go to stderr in every mode, --json included: serving without a token on a public address must be seen.
  for (const w of warnings) process.stderr.write(color.red(color.bold(`WARNING: ${w}\n`)));
  if (opts.json) {
    printJson({ url, model, example, workers, warnings });
    return;
  }
  const cfg = project.config;
  const defaultAlias = cfg.serve.alias ?? cfg.registry.alias;
  process.stderr.write(`\n${color.bold("millrace serve")} listening on ${color.green(url)}${workers > 1 ? ` with ${workers} workers` : ""}\n`);
  if (!model) process.stderr.write(color.yellow(`  no version of ${project.config.registry.model} holds the alias yet: run the pipeline or promote one; the server picks it up\n`));
  process.stderr.write(`  try:  curl -s ${url}/predict -H 'content-type: application/json' -d '${JSON.stringify({ records: [example ?? {}] })}'\n`);
  process.stderr.write(`        curl -s ${url}/health · ${url}/metrics · ${url}/openapi.json · ${url}/v2/models/${project.config.registry.model}\n`);
  process.stderr.write(`  dashboard: ${color.green(`${url}/ui/`)}\n`);
  process.stderr.write(`  drift: ${driftCommand(project.dir, process.cwd(), opts.alias ?? defaultAlias, defaultAlias)} · ${url}/ui/drift\n  Ctrl-C stops it (in-flight requests finish first).\n`);
}

export function serveCommands(program: Command, action: ActionWrapper): void {
  const options = (c: Command) =>
    c
      .option("--port <port>", "port 1-65535 (0 = any free port); default from millrace.yaml", port)
      .option("--host <host>", "interface to listen on; default from millrace.yaml")
      .option("-a, --alias <alias>", "alias to serve; default from millrace.yaml")
      .option("-w, --workers <n>", 'serving processes ("auto" = one per core); default from millrace.yaml')
      .option("--json", "print the address and model as JSON");
  options(
    program
      .command("serve")
      .argument("[project]", "project folder", ".")
      .description("HTTP server for the model version the serving alias points at (hot-swaps when the alias moves)"),
  ).action(action((dir: string, opts: ServeOptions) => serveProject(loadProject(dir), opts)));

  options(program.command("up").argument("[project]", "project folder", ".").description("run the pipeline end to end, then serve the promoted model (and run the project's schedules, if any)")).action(
    action(async (dir: string, opts: ServeOptions) => {
      // Cluster workers re-run this command to serve; only the primary runs the pipeline and the scheduler.
      const code = cluster.isWorker ? 0 : await runCommand(dir, { json: opts.json === true });
      if (code !== 0) return code;
      const scheduler = cluster.isWorker ? null : await startBackgroundScheduler(dir, opts.json === true);
      try {
        return await serveProject(loadProject(dir), opts);
      } finally {
        await scheduler?.stop();
      }
    }),
  );
}
