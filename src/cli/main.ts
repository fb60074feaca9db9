#!/usr/bin/env node
// The `millrace` command line: every command takes --json; errors print a message and a hint, never a stack.
import type { Command } from "commander";
import { VERSION } from "../version.js";
import type { ActionWrapper } from "./commands/action.js";

const args = process.argv.slice(2);
const invoked = args.find((a) => !a.startsWith("-"));
const versionOnly = invoked === undefined && args.length > 0 && args.every((a) => a === "-V" || a === "--version");
// `millrace --version` prints what commander's .version() prints, without loading commander or anything else.
if (versionOnly) process.stdout.write(`${VERSION}\n`);
else await main();

/** A commander error message ("error: option '--limit <n>' argument 'abc' is invalid. …") as the CLI's JSON error. */
function usageErrorJson(text: string): string {
  return JSON.stringify({ error: "usage_error", message: text.replace(/^error:\s*/, "").trim() }, null, 2) + "\n";
}

async function main(): Promise<void> {
  const json = args.includes("--json");
  const [{ Command }, { reportError }] = await Promise.all([import("commander"), import("./output.js")]);
  const program = new Command();
  program
    .name("millrace")
    .description("The whole machine-learning loop in one package: ingest → checks → train → registry → serve → drift.")
    .version(VERSION)
    .showHelpAfterError("(run millrace <command> --help for its options)")
    // A subcommand's options (models promote -p DIR) belong to it, not to its parent.
    .enablePositionalOptions()
    // A usage error (a bad option value from option-parsers.ts, an unknown option, a missing argument) exits 2, and under
    // --json it is one JSON document on stdout like every other error. Subcommands inherit both settings.
    .configureOutput({ outputError: (text, write) => (json ? process.stdout.write(usageErrorJson(text)) : write(text)) })
    .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2));

  /** Wraps a command so every failure becomes a message + exit code, honouring --json. */
  function action<A extends unknown[]>(fn: (...args: A) => Promise<number>) {
    return async (...args: A) => {
      // The options object: not the Command, and not a variadic argument's array (runs delete <ids...> --json).
      const opts = args.find((a): a is { json?: boolean } => typeof a === "object" && a !== null && !Array.isArray(a) && !(a instanceof Command)) ?? {};
      try {
        process.exitCode = await fn(...args);
      } catch (e) {
        process.exitCode = reportError(e, opts.json === true);
      }
    };
  }

  /** A file that registers commands on the program; loaded only when one of its commands is asked for. */
  type Registrar = (program: Command, action: ActionWrapper) => void | Promise<void>;
  const core = () => import("./commands/core-commands.js");

  /**
   * Which file registers each top-level command. Only the invoked command's file is imported (a light command such as
   * `millrace models` then starts without DuckDB or the learners); `--help`, no command or a name missing here registers
   * them all, so a command left out of this table is slower to start, never missing.
   */
  const COMMANDS: Array<[names: string[], load: () => Promise<Registrar>]> = [
    [["init"], async () => (await core()).initCommands],
    [["run"], async () => (await core()).runCommands],
    [["train"], async () => (await core()).trainCommands],
    [["runs", "gc"], async () => (await core()).runsCommands],
    [["models"], async () => (await core()).modelsCommands],
    [["serve", "up"], async () => (await import("./commands/serve.js")).serveCommands],
    [["drift"], async () => (await import("./commands/drift.js")).driftCommands],
    [["tables", "history", "query", "diff", "profile", "vacuum", "lineage"], async () => (await import("./commands/lake-commands.js")).lakeCommands],
    [["revert", "ingest"], async () => (await import("./commands/undo-commands.js")).undoCommands],
    [["watch"], async () => (await import("./commands/watch.js")).watchCommands],
    [["scheduler", "pipeline", "logs", "backfill"], async () => (await import("./commands/scheduler.js")).schedulerCommands],
    [["worker"], async () => (await import("./commands/worker.js")).workerCommands],
    [["predict"], async () => (await import("./commands/predict.js")).predictCommands],
    [["deploy"], async () => (await import("./commands/deploy.js")).deployCommands],
    [["recommend"], async () => (await import("./commands/recommend.js")).recommendCommands],
    [["features", "materialize"], async () => (await import("./commands/features.js")).featureCommands],
  ];

  const chosen = COMMANDS.filter(([names]) => invoked !== undefined && names.includes(invoked));
  for (const [, load] of chosen.length > 0 ? chosen : COMMANDS) await (await load())(program, action);

  await program.parseAsync(process.argv);
}
