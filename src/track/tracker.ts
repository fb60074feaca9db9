// Experiment tracking: every training is a run with params, metric series, artifacts, dataset and duration.
import { randomUUID } from "node:crypto";
import type { MetricPoint, Run } from "../records.js";
import type { ArtifactStore } from "../store/artifact-store.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { describeError, NotFoundError, ValidationError } from "../errors.js";

export interface StartRunOptions {
  experiment: string;
  name: string;
  params?: Record<string, unknown>;
  tags?: Record<string, string>;
  datasetId?: string | null;
  parentRunId?: string | null;
}

export class Tracker {
  constructor(
    readonly store: MetadataStore,
    readonly artifacts: ArtifactStore,
  ) {}

  async startRun(opts: StartRunOptions): Promise<ActiveRun> {
    const run: Run = {
      id: randomUUID(),
      experiment: opts.experiment,
      name: opts.name,
      status: "running",
      params: opts.params ?? {},
      metrics: {},
      tags: opts.tags ?? {},
      artifacts: [],
      datasetId: opts.datasetId ?? null,
      parentRunId: opts.parentRunId ?? null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      durationMs: null,
    };
    await this.store.createRun(run);
    return new ActiveRun(this, run.id, run.experiment, performance.now());
  }

  /**
   * Every metric of a run as a step series (MLflow's metric history): per key, {step, value} by step. Learning curves
   * (a boosting round per step), CV folds (a fold per step) and single values (step 0) alike; the dashboard draws it.
   */
  async metricHistory(runId: string): Promise<Record<string, { step: number; value: number }[]>> {
    const run = await this.store.getRun(runId);
    if (!run) throw new NotFoundError(`no run ${runId}`, { hint: "list runs with: millrace runs" });
    const out: Record<string, { step: number; value: number }[]> = {};
    for (const key of Object.keys(run.metrics).sort()) {
      out[key] = (await this.store.metricHistory(runId, key)).map((p) => ({ step: p.step, value: p.value }));
    }
    return out;
  }

  /** Runs `body` inside a run that is finished on success and marked failed (with the error) on a throw. */
  async withRun<T>(opts: StartRunOptions, body: (run: ActiveRun) => Promise<T>): Promise<T> {
    const run = await this.startRun(opts);
    try {
      const out = await body(run);
      await run.finish("finished");
      return out;
    } catch (e) {
      await run.finish("failed", describeError(e));
      throw e;
    }
  }
}

/** Metric keys of the global mean |SHAP| importance (ActiveRun.logImportance). */
export const SHAP_PREFIX = "shap/";

/** A run's mean |SHAP| per column from its metrics, largest first. */
export function shapImportanceOf(metrics: Record<string, number>): [string, number][] {
  return Object.entries(metrics)
    .filter(([k]) => k.startsWith(SHAP_PREFIX))
    .map(([k, v]): [string, number] => [k.slice(SHAP_PREFIX.length), v])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export class ActiveRun {
  private finished = false;
  constructor(
    private readonly tracker: Tracker,
    readonly id: string,
    readonly experiment: string,
    private readonly startedAtMs: number,
  ) {}

  logParams(params: Record<string, unknown>): Promise<void> {
    return this.tracker.store.mergeParams(this.id, params);
  }

  setNotes(notes: string): Promise<void> {
    return this.tracker.store.updateRun(this.id, { notes });
  }

  setTags(tags: Record<string, string>): Promise<void> {
    return this.tracker.store.mergeTags(this.id, tags);
  }

  /** Logs each finite value; a NaN/Infinity metric is skipped rather than stored as a lie. */
  logMetrics(values: Record<string, number>, step = 0): Promise<void> {
    const at = new Date().toISOString();
    const points: MetricPoint[] = Object.entries(values)
      .filter(([, v]) => Number.isFinite(v))
      .map(([key, value]) => ({ key, value, step, at }));
    return this.tracker.store.logMetrics(this.id, points);
  }

  /** Logs step series at once (a learning curve: per key, the value at each boosting round). */
  logSeries(series: Record<string, { step: number; value: number }[]>): Promise<void> {
    const at = new Date().toISOString();
    const points: MetricPoint[] = Object.entries(series).flatMap(([key, pts]) =>
      pts.filter((p) => Number.isFinite(p.value)).map((p) => ({ key, value: p.value, step: p.step, at })),
    );
    return this.tracker.store.logMetrics(this.id, points);
  }

  /**
   * Global feature importance (mean |SHAP| per input column) as metrics "shap/<column>", so it is kept, listed,
   * sorted and shown like any metric (millrace runs show <id> prints them as a ranked list).
   */
  logImportance(importance: Record<string, number>): Promise<void> {
    return this.logMetrics(Object.fromEntries(Object.entries(importance).map(([k, v]) => [`${SHAP_PREFIX}${k}`, v])));
  }

  /** Stores bytes in the artifact store under runs/<id>/<name> and records the URI on the run. */
  async logArtifact(name: string, bytes: Uint8Array): Promise<string> {
    const uri = await this.tracker.artifacts.put(`runs/${this.id}/${name}`, bytes);
    await this.tracker.store.addArtifact(this.id, uri);
    return uri;
  }

  async finish(status: "finished" | "failed", error?: string): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.tracker.store.updateRun(this.id, {
      status,
      endedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - this.startedAtMs),
      ...(error !== undefined ? { error } : {}),
    });
  }
}

/** Hard-deletes runs and the artifacts only they held. A run a model version was registered from is kept. */
export async function deleteRuns(store: MetadataStore, artifacts: ArtifactStore, runIds: string[]): Promise<{ deleted: string[]; artifactsRemoved: number }> {
  const versions = await store.listModelVersions();
  const deleted: string[] = [];
  let artifactsRemoved = 0;
  for (const id of runIds) {
    const run = await store.getRun(id);
    if (!run) throw new NotFoundError(`no run ${id}`, { hint: "list runs with: millrace runs" });
    const used = versions.find((v) => v.runId === id);
    if (used) {
      throw new ValidationError(`run ${id} produced ${used.name} v${used.version}; deleting it would break that version's lineage`, {
        hint: `archive the version instead: millrace models archive ${used.name} ${used.version}`,
      });
    }
    for (const child of await store.listRuns({ parentRunId: id, limit: 100_000 })) {
      const r = await deleteRuns(store, artifacts, [child.id]);
      deleted.push(...r.deleted);
      artifactsRemoved += r.artifactsRemoved;
    }
    const uris = await store.deleteRun(id);
    const stillUsed = await canonicalSet(artifacts, await store.referencedArtifacts());
    for (const uri of uris) {
      if (stillUsed.has(await artifacts.canonical(uri))) continue;
      await artifacts.delete(uri);
      artifactsRemoved++;
    }
    deleted.push(id);
  }
  return { deleted, artifactsRemoved };
}

/** Removes stored artifacts no run or model version points at (left by deletes or crashed writes). */
export async function collectGarbage(store: MetadataStore, artifacts: ArtifactStore, opts: { dryRun?: boolean } = {}): Promise<string[]> {
  // Records written before URIs were relative hold file:// spellings of the same files: compare canonical forms.
  const used = await canonicalSet(artifacts, await store.referencedArtifacts());
  const orphans = (await artifacts.list()).filter((uri) => !used.has(uri));
  if (!opts.dryRun) for (const uri of orphans) await artifacts.delete(uri);
  return orphans;
}

async function canonicalSet(artifacts: ArtifactStore, uris: Set<string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const uri of uris) {
    try {
      out.add(await artifacts.canonical(uri));
    } catch {
      // A URI of another store (an s3:// record in a folder project) is not ours to keep or delete.
      out.add(uri);
    }
  }
  return out;
}
