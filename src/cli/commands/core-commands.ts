// The commands defined here rather than in a file of their own: init, run, train, runs (+ gc) and models.
// Each implementation is imported when its command runs, so `millrace models` never loads the learners or DuckDB.
import { Option, type Command } from "commander";
import type { ActionWrapper } from "./action.js";
import { printJson } from "../output.js";
import { durationSeconds, nonNegativeInt, offOrAtLeast, positiveInt } from "../option-parsers.js";

const registry = () => import("./registry-commands.js");

export function initCommands(program: Command, action: ActionWrapper): void {
  program
    .command("init")
    .argument("<dir>", "folder to create the project in")
    .description("scaffold a project: millrace.yaml, models/, a sample in its own source (data/sample/), data/landing/ for your files")
    .addOption(new Option("--task <task>", "learning task of the scaffold; the gate's metric follows it").choices(["binary", "multiclass", "regression"]).default("binary"))
    .option("--json", "print the result as JSON")
    .action(
      action(async (dir: string, opts: { json?: boolean; task: "binary" | "multiclass" | "regression" }) => {
        const r = (await import("../../project/init-project.js")).initProject(dir, { task: opts.task });
        if (opts.json) printJson(r);
        else console.log(`created ${r.dir}\n  ${r.files.join("\n  ")}\n${r.notes.join("\n")}\nnext: millrace run ${dir}`);
        return 0;
      }),
    );
}

export function runCommands(program: Command, action: ActionWrapper): void {
  program
    .command("run")
    .argument("[project]", "project folder", ".")
    .description("run the pipeline DAG: ingest, transform, check, dataset, train, register, gate")
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "print only the summary")
    .option("--retrain", "train even if the dataset is unchanged (the gate still decides)")
    .addOption(new Option("--trigger <kind>", "what started this run, as recorded (an alert's retrain passes alert)").choices(["manual", "alert", "file", "schedule"]).default("manual"))
    .option("--strict", "exit non-zero when an ingested file had every row quarantined, or lacks or adds a column")
    .action(action(async (project: string, opts: { json?: boolean; quiet?: boolean; retrain?: boolean; strict?: boolean; trigger?: "manual" | "alert" | "file" | "schedule" }) => (await import("./run.js")).runCommand(project, opts)));
}

export async function trainCommands(program: Command, action: ActionWrapper): Promise<void> {
  program
    .command("train")
    .argument("<file>", "CSV or Parquet file")
    .description("train one model on any CSV with a held-out test split; prints test metrics and timings")
    .requiredOption("-t, --target <column>", "column to predict")
    .addOption(new Option("--task <task>", "learning task (inferred when omitted)").choices(["binary", "multiclass", "regression", "recommendation"]))
    .option("-m, --model <model>", `learner (default auto: a portfolio tried by CV on the train rows within --time-budget): ${Object.keys((await import("../../learn/model-specs.js")).MODEL_SPECS).join(", ")}; recommendation: ${Object.keys((await import("../../recommend/registry.js")).RECOMMENDERS).join(", ")} (default svd); ${(await import("../../learn/param-schemas.js")).autoInnerSaid()}`)
    .option("--positive <label>", "binary: the label that is class 1")
    .option("--test-rows <file>", "file of 0-based data-row numbers to hold out (e.g. from peer_baselines.py --split-out)")
    .option("--test-fraction <f>", "held-out share when --test-rows is not given", "0.2")
    .option("--seed <n>", "random seed", nonNegativeInt, 42)
    .option("--cv <k>", "k-fold cross-validation on the training rows (0 = off, else ≥ 2)", offOrAtLeast(2), 0)
    .option("-p, --param <name=value>", "hyperparameter, repeatable", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--drop <columns>", "comma-separated columns to leave out")
    .option("--keep <columns>", "comma-separated columns to use although they look constant or like an identifier (those are dropped, each with a line saying why)")
    .option("--cat <columns>", "comma-separated numeric columns to treat as categories (ids, codes)")
    .option("--time-budget <duration>", "--model auto: time for the whole search, e.g. 60s, 5m (default 60s)", durationSeconds)
    .option("--save <file>", "write the trained model artifact here")
    .option("--user <column>", "recommendation: the user id column")
    .option("--item <column>", "recommendation: the item id column (--target is the rating, or none for implicit data)")
    .option("--time <column>", "recommendation: interaction time (--split by-time, the two-tower history)")
    .option("--weight <column>", "recommendation: per-interaction weight (two_tower's weighted MSE; strength for implicit data)")
    .addOption(new Option("--split <kind>", "recommendation: held-out rows when --test-rows is not given").choices(["random", "by-time"]).default("random"))
    .option("--k <n>", "recommendation: length of the top-K lists the ranking metrics read", positiveInt, 10)
    .option("--relevant <rating>", "recommendation: relevant = held-out rating >= this (default 4 on 1-5 scales, else the 80th percentile)")
    .option("--json", "print the report as JSON")
    .action(action(async (file: string, opts) => (await import("./train.js")).trainCommand(file, opts)));
}

export function runsCommands(program: Command, action: ActionWrapper): void {
  const runs = program
    .command("runs")
    .description("list tracked training runs (sort, filter by metric); show, annotate or delete one")
    .argument("[project]", "project folder (or -p DIR)")
    .option("-p, --project <dir>", "project folder", ".")
    .option("-e, --experiment <name>", "only this experiment")
    .option("-s, --sort <metric>", "sort by a metric, e.g. roc_auc (auc), rmse")
    .addOption(new Option("--order <order>", "sort order").choices(["asc", "desc"]).default("desc"))
    .option("-w, --where <condition>", 'metric condition, repeatable, e.g. "roc_auc>0.8"', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--parent <run-id>", "only child runs of this run (search trials)")
    .option("--all", "top-level and child runs together")
    .option("-n, --limit <n>", "how many (≥ 1)", positiveInt, 20)
    .option("--json", "print as JSON")
    .action(action(async (dir: string | undefined, opts) => (await registry()).runsCommand({ ...opts, project: dir ?? opts.project })));

  runs
    .command("delete")
    .description("delete runs with their child runs and their artifacts")
    .argument("<run-ids...>", "runs to delete (with their child runs and artifacts)")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--json", "print as JSON")
    .action(action(async (ids: string[], opts) => (await registry()).deleteRunsCommand(ids, opts)));

  runs
    .command("show")
    .argument("<run-id>", "run to show (a prefix is enough)")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--top <n>", "columns of the SHAP importance to print", positiveInt, 15)
    .option("--json", "print the run, its metric history and importance as JSON")
    .description("one run: params, metrics, learning curves (per boosting round) and mean |SHAP| importance")
    .action(action(async (id: string, opts) => (await import("./runs-show.js")).runShowCommand(id, opts)));

  runs
    .command("compare")
    .argument("<run-ids...>", "2 to 10 runs to put side by side (a prefix is enough)")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--all", "also mean |SHAP| per column (shap/… metrics)")
    .option("--json", "print the comparison as JSON (what the dashboard's /compare page reads)")
    .description("runs side by side: params (differing ones marked), metrics (the best of each marked)")
    .action(action(async (ids: string[], opts) => (await import("./runs-compare.js")).runsCompareCommand(ids, opts)));

  runs
    .command("annotate")
    .description("set a run's note or tags")
    .argument("<run-id>", "run to annotate (a prefix is enough)")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--note <text>", "set the run's note")
    .option("-t, --tag <key=value>", "set a tag, repeatable", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--json", "print the run as JSON")
    .action(action(async (id: string, opts) => (await registry()).annotateRunCommand(id, opts)));

  program
    .command("gc")
    .description("remove stored artifacts that no run or model version points at")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--dry-run", "only list them")
    .option("--json", "print as JSON")
    .action(action(async (opts) => (await registry()).gcCommand(opts)));
}

export function modelsCommands(program: Command, action: ActionWrapper): void {
  const models = program
    .command("models")
    .description("list registered model versions; promote, roll back, archive, show alias history")
    .argument("[project]", "project folder (or -p DIR)")
    .option("-p, --project <dir>", "project folder", ".")
    .option("--name <model>", "only this model")
    .option("--json", "print as JSON")
    .action(action(async (dir: string | undefined, opts) => (await registry()).modelsCommand({ ...opts, project: dir ?? opts.project })));

  models
    .command("promote")
    .description("point an alias (default production) at a version")
    .argument("<name>", "model name")
    .argument("<version>", "version number")
    .option("-p, --project <dir>", "project folder", ".")
    .option("-a, --alias <alias>", "alias to move", "production")
    .option("-r, --reason <text>", "why (kept in the audit trail)")
    .option("--json", "print as JSON")
    .action(action(async (name: string, version: string, opts) => (await registry()).promoteCommand(name, version, opts)));

  models
    .command("rollback")
    .description("move an alias back to the version it held before")
    .argument("<name>", "model name")
    .option("-p, --project <dir>", "project folder", ".")
    .option("-a, --alias <alias>", "alias to move back", "production")
    .option("-r, --reason <text>", "why (kept in the audit trail)")
    .option("--json", "print as JSON")
    .action(action(async (name: string, opts) => (await registry()).rollbackCommand(name, opts)));

  models
    .command("archive")
    .description("archive a version (its aliases are removed), or --restore it")
    .argument("<name>", "model name")
    .argument("<version>", "version number")
    .option("-p, --project <dir>", "project folder", ".")
    .option("-r, --reason <text>", "why (kept in the audit trail)")
    .option("--restore", "take the version out of the archive")
    .option("--json", "print as JSON")
    .action(action(async (name: string, version: string, opts) => (await registry()).archiveCommand(name, version, opts)));

  models
    .command("history")
    .description("every move of a model's aliases: when, from, to, who, why")
    .argument("<name>", "model name")
    .option("-p, --project <dir>", "project folder", ".")
    .option("-a, --alias <alias>", "only this alias")
    .option("--json", "print as JSON")
    .action(action(async (name: string, opts) => (await registry()).historyCommand(name, opts)));
}
