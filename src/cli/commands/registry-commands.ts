// `millrace runs` and `millrace models [promote|rollback|history]`: read and move what the pipeline recorded.
// What only one command uses (the alias moves, the metric registry) is imported inside it: listing starts lighter.
import { Workspace } from "../../app/workspace.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { loadProjectCached } from "../cached-project.js";
import { Registry } from "../../registry/registry.js";
import type { Run } from "../../records.js";
import type { StaleRun } from "../../store/metadata-store.js";
import { collectGarbage, deleteRuns } from "../../track/tracker.js";
import { annotationsOf } from "../../store/annotations.js";
import { findRun } from "./runs-find.js";
import { SYSTEM_TAGS } from "../../ui-api/system-tags.js";
import { color, printJson, table } from "../output.js";

const actor = () => `cli:${process.env.USER ?? "user"}`;

/** Short metric names people type, mapped to what runs record. */
const METRIC_ALIASES: Record<string, string> = { auc: "roc_auc", logloss: "log_loss", f1macro: "f1_macro" };
const metricName = (m: string) => METRIC_ALIASES[m] ?? m;

/** Parses "roc_auc>0.8" / "auc >= 0.8" into a metric filter. */
export function parseMetricFilter(text: string): { key: string; op: "<" | "<=" | "=" | ">=" | ">"; value: number } {
  const m = text.match(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|=|<|>)\s*(-?[0-9.eE+-]+)\s*$/);
  if (!m || !Number.isFinite(Number(m[3]))) {
    throw new ValidationError(`--where "${text}": write it as metric<op>number, e.g. --where "roc_auc>0.8"`);
  }
  return { key: metricName(m[1]), op: m[2] as "<", value: Number(m[3]) };
}

export async function runsCommand(opts: {
  project: string;
  experiment?: string;
  sort?: string;
  order?: string;
  limit?: number;
  where?: string[];
  parent?: string;
  all?: boolean;
  json?: boolean;
}): Promise<number> {
  const project = await loadProjectCached(opts.project);
  if (opts.sort) opts.sort = metricName(opts.sort);
  let reaped: StaleRun[] = [];
  const filters = (opts.where ?? []).map(parseMetricFilter);
  const scope = {
    ...(opts.experiment ? { experiment: opts.experiment } : {}),
    // Search trials are child runs: listed under --parent (or with --all), not among the top-level runs.
    ...(opts.parent ? { parentRunId: opts.parent } : opts.all ? {} : { parentRunId: null }),
  };
  const { runs, unfiltered } = await Workspace.useStores(
    project,
    async (r) => {
      // A killed `millrace run` left its records "running": close them (with the reason) before listing.
      reaped = await r.meta.reapStaleRuns();
      const runs = await r.meta.listRuns({
        ...scope,
        ...(opts.sort ? { sortByMetric: opts.sort } : {}),
        metricFilters: filters,
        order: opts.order === "asc" ? "asc" : "desc",
        limit: opts.limit ?? 20,
      });
      // Nothing matched the filter: the runs it was applied to, to tell "no match" from "no runs" and name the metrics.
      const unfiltered = runs.length === 0 && filters.length ? await r.meta.listRuns({ ...scope, limit: 1_000_000 }) : null;
      return { runs, unfiltered };
    });
  if (unfiltered?.length) {
    const known = [...new Set(unfiltered.flatMap((r) => Object.keys(r.metrics)))].filter((k) => !k.startsWith("shap/"));
    const plain = known.filter((k) => !k.startsWith("cv_")).sort();
    const unknown = filters.find((f) => !known.includes(f.key));
    if (unknown) {
      throw new ValidationError(`no run has metric ${unknown.key}`, { path: "--where", hint: plain.length ? `filter by one of: ${plain.join(", ")} (or a cv_… variant)` : "these runs recorded no metrics" });
    }
    if (!opts.json) {
      console.log(`no run matches --where ${(opts.where ?? []).join(" --where ")} (${unfiltered.length} run${unfiltered.length === 1 ? "" : "s"} in ${project.config.name}; metrics: ${plain.join(", ") || "none"})`);
      return 0;
    }
  }
  // Runs lacking the sort metric come last, so when the first lacks it, none of the runs asked for has it.
  if (opts.sort && runs.length > 0 && runs[0].metrics[opts.sort] === undefined) {
    // The hint names the plain metrics; cross-validation (cv_…) and SHAP (shap/…) keys sort too, but would bury them.
    const known = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].filter((k) => !k.startsWith("shap/") && !k.startsWith("cv_")).sort();
    throw new ValidationError(`no run has metric ${opts.sort}`, { path: "--sort", hint: known.length ? `sort by one of: ${known.join(", ")} (or a cv_… variant)` : "these runs recorded no metrics" });
  }
  // stderr, so --json output stays one JSON document; the reaped runs show as failed, with the reason, in it.
  for (const s of reaped) process.stderr.write(`${color.yellow("marked failed:")} ${s.kind === "run" ? "run" : "pipeline run"} ${s.id.slice(0, 8)}: ${s.reason}\n`);
  if (opts.json) {
    printJson(runs);
    return 0;
  }
  if (runs.length === 0) {
    console.log(`no runs yet in ${project.config.name}: train some with millrace run ${opts.project}`);
    return 0;
  }
  const metricKeys = ["roc_auc", "accuracy", "f1", "log_loss", "rmse", "r2"].filter((k) => runs.some((r) => r.metrics[k] !== undefined));
  if (opts.sort && !metricKeys.includes(opts.sort)) metricKeys.unshift(opts.sort);
  // auto's runs name the learner it chose (tag `chosen`); its candidates are child runs (--all, --parent).
  const chosen = runs.some((r) => r.tags.chosen !== undefined);
  // Child runs (auto's candidates, search trials) carry only CV scores, on the metric their parent ranks by.
  const objectives = [...new Set(runs.map((r) => r.tags.objective).filter((o): o is string => o !== undefined))];
  console.log(
    table(
      ["run id", "experiment", "name", ...(chosen ? ["chosen"] : []), "status", ...metricKeys, ...objectives.map((o) => `cv ${o}`), "duration", "started"],
      runs.map((r) => [
        r.id.slice(0, 8),
        r.experiment,
        r.name,
        ...(chosen ? [r.tags.chosen ?? ""] : []),
        runState(r),
        ...metricKeys.map((k) => r.metrics[k]),
        // A CV fold's run (auto/cv-fold-i) holds that fold's held-out score, cv_<metric>, not a mean over folds.
        ...objectives.map((o) => r.metrics[`cv_${o}_mean`] ?? r.metrics[`cv_${o}`]),
        r.durationMs === null ? "" : `${(r.durationMs / 1000).toFixed(2)} s`,
        r.startedAt.replace("T", " ").slice(0, 19),
      ]),
    ),
  );
  return 0;
}

export async function modelsCommand(opts: { project: string; name?: string; json?: boolean }): Promise<number> {
  const project = await loadProjectCached(opts.project);
  const versions = await Workspace.useStores(project, (r) => r.meta.listModelVersions(opts.name));
  if (opts.json) {
    printJson(versions.map((v) => ({ ...v, stage: Registry.stageOf(v) })));
    return 0;
  }
  if (versions.length === 0) {
    console.log(`no model versions yet in ${project.config.name}: run the pipeline with millrace run ${opts.project}`);
    return 0;
  }
  const metric = project.config.train.metric ?? (await import("../../learn/metric-registry.js")).defaultMetric(project.config.dataset.task);
  console.log(
    table(
      ["model", "version", "stage", "aliases", metric, "run id", "dataset", "created"],
      versions.map((v) => [
        v.name,
        `v${v.version}`,
        Registry.stageOf(v),
        v.aliases.map((a) => color.green(a)).join(","),
        v.metrics[metric],
        v.runId.slice(0, 8),
        v.datasetId,
        v.createdAt.replace("T", " ").slice(0, 19),
      ]),
    ),
  );
  return 0;
}

export async function promoteCommand(name: string, version: string, opts: { project: string; alias: string; reason?: string; json?: boolean }): Promise<number> {
  const { promote, versionText } = await import("../../app/model-versions.js");
  const project = await loadProjectCached(opts.project);
  const t = await Workspace.useStores(
    project,
    (r) => promote(r.registry, name, opts.alias, versionText(version), { actor: actor(), reason: opts.reason, defaultReason: "promoted by hand", versionHint: `list the versions with: millrace models --name ${name}` }));
  if (opts.json) printJson(t);
  else console.log(`${name}@${opts.alias}: v${t.fromVersion ?? "-"} → v${t.toVersion}`);
  return 0;
}

export async function rollbackCommand(name: string, opts: { project: string; alias: string; reason?: string; json?: boolean }): Promise<number> {
  const { rollback } = await import("../../app/model-versions.js");
  const project = await loadProjectCached(opts.project);
  const t = await Workspace.useStores(
    project,
    (r) => rollback(r.registry, name, opts.alias, { actor: actor(), reason: opts.reason, defaultReason: "rolled back by hand" }));
  if (opts.json) printJson(t);
  else console.log(`${name}@${opts.alias}: rolled back v${t.fromVersion} → v${t.toVersion}`);
  return 0;
}

export async function historyCommand(name: string, opts: { project: string; alias?: string; json?: boolean }): Promise<number> {
  const project = await loadProjectCached(opts.project);
  const history = await Workspace.useStores(project, async (r) => {
    const names = [...new Set((await r.meta.listModelVersions()).map((v) => v.name))].sort();
    if (!names.includes(name)) {
      throw new NotFoundError(`no model named ${name}`, { hint: names.length ? `models in ${project.config.name}: ${names.join(", ")}` : `no model registered yet: millrace run ${opts.project}` });
    }
    return r.meta.aliasTransitions(name, opts.alias);
  });
  if (opts.json) {
    printJson(history);
    return 0;
  }
  console.log(
    table(
      ["at", "alias", "from", "to", "actor", "reason"],
      history.map((h) => [h.at.replace("T", " ").slice(0, 19), h.alias, h.fromVersion === null ? "-" : `v${h.fromVersion}`, h.toVersion === null ? "-" : `v${h.toVersion}`, h.actor, h.reason]),
    ),
  );
  return 0;
}

export async function archiveCommand(name: string, version: string, opts: { project: string; reason?: string; restore?: boolean; json?: boolean }): Promise<number> {
  const { archive, versionText } = await import("../../app/model-versions.js");
  const project = await loadProjectCached(opts.project);
  const restore = opts.restore === true;
  const r = await Workspace.useStores(
    project,
    (res) => archive(res.registry, name, versionText(version), restore, { actor: actor(), reason: opts.reason, defaultReason: restore ? "restored by hand" : "archived by hand" }));
  const moves = r.aliasesRemoved;
  if (opts.json) printJson(r);
  else if (!r.changed) console.log(`${name} v${r.version} was ${restore ? "not archived" : "already archived"}: nothing changed`);
  else console.log(`${name} v${r.version} ${restore ? "restored" : `archived${moves.length ? ` (aliases removed: ${moves.map((m) => m.alias).join(", ")})` : ""}`}`);
  return 0;
}

export async function deleteRunsCommand(ids: string[], opts: { project: string; json?: boolean }): Promise<number> {
  const project = await loadProjectCached(opts.project);
  const r = await Workspace.useStores(
    project,
    async (res) => {
      // Accept the 8-character ids the tables print.
      const full: string[] = [];
      for (const id of ids) full.push((await findRun(res.meta, id)).id);
      return deleteRuns(res.meta, res.artifacts, full);
    });
  if (opts.json) printJson(r);
  else console.log(`deleted ${r.deleted.length} run(s), ${r.artifactsRemoved} artifact(s)`);
  return 0;
}

export async function gcCommand(opts: { project: string; dryRun?: boolean; json?: boolean }): Promise<number> {
  const project = await loadProjectCached(opts.project);
  const orphans = await Workspace.useStores(project, (r) => collectGarbage(r.meta, r.artifacts, { dryRun: opts.dryRun === true }));
  if (opts.json) printJson({ dryRun: opts.dryRun === true, artifacts: orphans });
  else console.log(`${opts.dryRun ? "would remove" : "removed"} ${orphans.length} unreferenced artifact(s)${orphans.length ? `:\n  ${orphans.join("\n  ")}` : ""}`);
  return 0;
}

export async function annotateRunCommand(id: string, opts: { project: string; note?: string; tag: string[]; json?: boolean }): Promise<number> {
  const project = await loadProjectCached(opts.project);
  const tags: Record<string, string> = {};
  for (const t of opts.tag) {
    const eq = t.indexOf("=");
    if (eq <= 0) throw new ValidationError(`--tag ${t}: write it as key=value`);
    const key = t.slice(0, eq);
    // The same rule as the dashboard's edits: tags the pipeline writes and reads back (state, chosen, …) stay its own.
    if (SYSTEM_TAGS.has(key)) throw new ValidationError(`tag ${key} is written by the pipeline and cannot be edited`, { path: "--tag", hint: "pick another key" });
    tags[key] = t.slice(eq + 1);
  }
  const run = await Workspace.useStores(
    project,
    async (r) => {
      const full = (await findRun(r.meta, id)).id;
      // Audited like the dashboard's edits (who, when, the value before and after).
      const change = { ...(opts.note !== undefined ? { notes: opts.note } : {}), ...(Object.keys(tags).length ? { tags } : {}) };
      if (Object.keys(change).length) await annotationsOf(r.meta).editRun(full, change, actor());
      return r.meta.getRun(full);
    });
  if (opts.json) printJson(run);
  else console.log(`run ${run!.id.slice(0, 8)}: ${run!.notes ? `note "${run!.notes}"` : "no note"}; tags ${JSON.stringify(run!.tags)}`);
  return 0;
}

/** A run's status; a child run's own state when it says more (an auto candidate "skipped: budget", a pruned trial). */
export function runState(r: Pick<Run, "status" | "tags">): string {
  if (r.status === "failed") return color.red(r.status);
  const state = r.tags.state;
  return state && state !== "complete" && state !== "scored" ? `${r.status} (${state})` : r.status;
}
