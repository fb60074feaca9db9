// What training would do (train.cv_folds, the ranking metric, every candidate's model, params and search), recorded
// on the registered run, so a run skips training only when both the dataset and this config are unchanged.
import { defaultMetric } from "../../learn/metric-registry.js";
import type { ProjectConfig } from "../../project/config.js";
import type { MetadataStore } from "../../store/metadata-store.js";

/** The run tag holding the train config a registered version was trained under (JSON of `TrainConfigRecord`). */
export const TRAIN_CONFIG_TAG = "train_config";

export interface TrainConfigRecord {
  cv_folds: number;
  metric: string;
  candidates: { name: string; model: string; params: Record<string, unknown>; search: unknown }[];
}

/** The parts of train: that change what training does (not experiment or retrain, which only file or schedule it). */
export function trainConfigRecord(cfg: ProjectConfig): TrainConfigRecord {
  return {
    cv_folds: cfg.train.cv_folds,
    metric: cfg.train.metric ?? defaultMetric(cfg.dataset.task),
    candidates: cfg.train.candidates.map((c) => ({ name: c.name, model: c.model, params: c.params, search: c.search ?? null })),
  };
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` compare equal. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** What differs between two train configs, in the user's words: [] when training would do the same. */
export function trainConfigChanges(then: TrainConfigRecord, now: TrainConfigRecord): string[] {
  const out: string[] = [];
  if (then.cv_folds !== now.cv_folds) out.push(`cv_folds ${then.cv_folds} → ${now.cv_folds}`);
  if (then.metric !== now.metric) out.push(`metric ${then.metric} → ${now.metric}`);
  const before = new Map(then.candidates.map((c) => [c.name, c]));
  const after = new Map(now.candidates.map((c) => [c.name, c]));
  const each: string[] = [];
  for (const c of now.candidates) {
    const old = before.get(c.name);
    if (!old) {
      each.push(`${c.name} added`);
      continue;
    }
    const parts = (["model", "params", "search"] as const).filter((k) => canonical(old[k]) !== canonical(c[k]));
    if (parts.length) each.push(`${c.name}: ${parts.join(", ")}`);
  }
  for (const c of then.candidates) if (!after.has(c.name)) each.push(`${c.name} removed`);
  if (each.length) out.push(`candidates (${each.join("; ")})`);
  return out;
}

/** Whether this run trains, and why: `skipWith` is the version to reuse when neither the dataset nor the config changed. */
export interface TrainingDecision {
  skipWith: { name: string; version: number } | null;
  reason: string;
}

/**
 * The skip rule: the newest version of the registered model trained on this dataset is reused when it was trained
 * under the same train config; a version recorded before configs were (no tag) counts as changed, so it retrains.
 */
export async function decideTraining(meta: MetadataStore, cfg: ProjectConfig, datasetId: string, forceRetrain: boolean): Promise<TrainingDecision> {
  if (forceRetrain) return { skipWith: null, reason: "retrain forced" };
  if (cfg.train.retrain === "always") return { skipWith: null, reason: "train.retrain: always" };
  const prior = (await meta.listModelVersions(cfg.registry.model)).find((m) => m.datasetId === datasetId);
  if (!prior) return { skipWith: null, reason: "new dataset" };
  const tag = (await meta.getRun(prior.runId))?.tags[TRAIN_CONFIG_TAG];
  if (!tag) return { skipWith: null, reason: `dataset unchanged, but v${prior.version} has no record of its train config: retraining` };
  const changes = trainConfigChanges(JSON.parse(tag) as TrainConfigRecord, trainConfigRecord(cfg));
  if (changes.length) return { skipWith: null, reason: `train config changed since v${prior.version}: ${changes.join("; ")}` };
  return {
    skipWith: { name: prior.name, version: prior.version },
    reason: `dataset ${datasetId} and train config unchanged: already trained by ${prior.name} v${prior.version} (set train.retrain: always to retrain)`,
  };
}
