// Drift, written once: the project's thresholds as drift options, and the report of a served version's logged inputs
// against its training rows. The CLI (`millrace drift`), the dashboard API and the serving monitor all call these.
import { NotFoundError } from "../errors.js";
import { trainingReference } from "../flow/steps/dataset.js";
import { driftReport, type DriftOptions, type DriftReport } from "../monitor/drift-report.js";
import { readLoggedFrame } from "../monitor/log-reader.js";
import type { ProjectConfig } from "../project/config.js";
import type { Project } from "../project/load-project.js";
import type { Dataset, Frame, ModelVersion } from "../records.js";
import type { Registry } from "../registry/registry.js";
import type { Workspace } from "./workspace.js";

/** monitor.drift of millrace.yaml as drift-report options: p-value tests share one level, distances another. */
export function driftOptionsOf(cfg: ProjectConfig): Required<Pick<DriftOptions, "thresholds" | "datasetShare">> {
  const d = cfg.monitor.drift;
  return {
    thresholds: { ks: d.p_value, chisquare: d.p_value, z: d.p_value, wasserstein: d.distance_threshold, jensenshannon: d.distance_threshold, psi: d.psi_threshold },
    datasetShare: d.dataset_share,
  };
}

export interface VersionDrift {
  model: string;
  version: number;
  datasetId: string;
  skippedLogLines: number;
  /** Below monitor.min_rows the statistics are shown but judge nothing: one logged row "drifts" on every column. */
  enoughRows: boolean;
  minRows: number;
  report: DriftReport;
}

/** Training rows of a dataset, read once per key by whoever holds the cache (a server keeps one per process). */
export type ReferenceLoader = (datasetId: string) => Promise<{ dataset: Dataset; reference: Frame }>;

/** The model version an alias or a number names (default: the served alias). */
export async function resolveVersion(r: { project: Project; registry: Registry }, ref: { version?: number; alias?: string }): Promise<ModelVersion> {
  const cfg = r.project.config;
  return ref.version !== undefined
    ? r.registry.get(cfg.registry.model, ref.version)
    : r.registry.resolve(cfg.registry.model, ref.alias ?? cfg.serve.alias ?? cfg.registry.alias);
}

/**
 * Drift of a version's logged inputs (the latest `limit`, or those since `since`) against its training rows, which
 * `reference` supplies (from the lake, or from a caller's cache). `extra` adds drift-report options (PSI bands).
 */
export async function driftOfVersion(
  project: Project, mv: ModelVersion, opts: { reference: ReferenceLoader; since?: string; limit?: number; extra?: DriftOptions },
): Promise<{ drift: VersionDrift; reference: Frame; current: Frame; dataset: Dataset }> {
  const current = await readLoggedFrame(project.paths.predictions, mv.name, mv.version, {
    signature: mv.signature,
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.limit ? { limit: opts.limit } : {}),
  });
  if (current.rowCount === 0) {
    throw new NotFoundError(`no logged predictions for ${mv.name} v${mv.version} yet`, {
      hint: `serve it (millrace serve ${project.dir}) and send traffic to /predict; drift compares what it was asked with its training rows (logged under ${project.paths.predictions})`,
    });
  }
  const { dataset, reference } = await opts.reference(mv.datasetId);
  const report = driftReport(reference, current, { columns: dataset.features, ...driftOptionsOf(project.config), ...opts.extra });
  const minRows = project.config.monitor.min_rows;
  const drift = { model: mv.name, version: mv.version, datasetId: dataset.id, skippedLogLines: current.skippedLines, enoughRows: current.rowCount >= minRows, minRows, report };
  return { drift, reference, current, dataset };
}

const caches = new WeakMap<Workspace, ReferenceLoader>();

/**
 * Training rows of a dataset from the workspace's lake (the drift reference), read once per dataset and kept for the
 * workspace's life (the `max` latest datasets; a server sees one or two served versions at a time), so the dashboard
 * and the serving monitor of one process share them. A failed read is not kept.
 */
export function referencesOf(ws: Workspace, max = 4): ReferenceLoader {
  let loader = caches.get(ws);
  if (!loader) {
    const cache = new Map<string, Promise<{ dataset: Dataset; reference: Frame }>>();
    loader = (datasetId) => {
      let p = cache.get(datasetId);
      if (!p) {
        p = ws.withLake().then((r) => trainingReference(r, datasetId));
        p.catch(() => cache.delete(datasetId));
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(datasetId, p);
      }
      return p;
    };
    caches.set(ws, loader);
  }
  return loader;
}
