// The registry for the dashboard: every model's versions with stage, aliases and metrics, one version's
// signature, input example, run and dataset, and the audited history of alias moves.
import type { Hono } from "hono";
import type { ModelVersion } from "../records.js";
import { Registry } from "../registry/registry.js";
import type { UiData } from "./data.js";
import { handle, notFound, versionParam } from "./http.js";
import { servingAlias } from "../app/workspace.js";
import type { GateRecord, ModelsResponse, ModelVersionDetail } from "./types.js";

/** How many of a model's newest versions get their learner looked up in their run. */
const KIND_LOOKUPS = 200;
/** How many recent pipeline runs are searched for the one that gated a version. */
const GATE_SEARCH = 200;

const withStage = (v: ModelVersion) => ({ ...v, stage: Registry.stageOf(v) });

export function modelsRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/models",
    handle(async (): Promise<ModelsResponse> => {
      const { meta } = await data.meta();
      const byName = new Map<string, ModelVersion[]>();
      for (const v of await meta.listModelVersions()) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
      const configured = data.project.config.registry.model;
      // The project's own model first, then any other model registered in the same store.
      const names = [...byName.keys()].sort((a, b) => (a === configured ? -1 : b === configured ? 1 : a.localeCompare(b)));
      // The learner of each version is its run's `model` param (the newest versions only: one lookup each).
      const kinds = new Map<string, string | null>();
      const recent = [...byName.values()].flatMap((vs) => [...vs].sort((a, b) => b.version - a.version).slice(0, KIND_LOOKUPS));
      await Promise.all(
        recent.map(async (v) => {
          const model = (await meta.getRun(v.runId))?.params.model;
          kinds.set(`${v.name}@${v.version}`, typeof model === "string" ? model : null);
        }),
      );
      return {
        configured: { name: configured, alias: servingAlias(data.project) },
        models: names.map((name) => ({
          name,
          versions: byName.get(name)!.sort((a, b) => b.version - a.version).map((v) => ({ ...withStage(v), modelKind: kinds.get(`${v.name}@${v.version}`) ?? null })),
        })),
      };
    }, log),
  );

  api.get(
    "/models/:name/transitions",
    handle(async (c) => {
      const { meta } = await data.meta();
      const alias = c.req.query("alias");
      // The store answers oldest first; the page reads newest first.
      return (await meta.aliasTransitions(c.req.param("name") ?? "", alias || undefined)).reverse();
    }, log),
  );

  api.get(
    "/models/:name/:version",
    handle(async (c): Promise<ModelVersionDetail> => {
      const { meta } = await data.meta();
      const name = c.req.param("name") ?? "";
      const version = versionParam(c);
      const mv = await meta.getModelVersion(name, version);
      if (!mv) throw notFound(`no version ${version} of model ${name}`, "list the versions with: millrace models");
      const [run, dataset, transitions, archive] = await Promise.all([
        meta.getRun(mv.runId),
        meta.getDataset(mv.datasetId),
        meta.aliasTransitions(name),
        meta.archiveTransitions(name, version),
      ]);
      return {
        version: withStage(mv),
        run: run ? { id: run.id, name: run.name, status: run.status, startedAt: run.startedAt, params: run.params, tags: run.tags } : null,
        dataset,
        transitions: transitions.filter((t) => t.fromVersion === version || t.toVersion === version).reverse(),
        archive: archive.reverse(),
        gate: run ? await gateOf(data, mv, run.tags) : null,
      };
    }, log),
  );
}

/** The gate's decision from the run's tags; its checks from the pipeline run that registered the version, if recorded. */
async function gateOf(data: UiData, mv: ModelVersion, tags: Record<string, string>): Promise<GateRecord | null> {
  const decision = tags.gate;
  if (decision !== "promoted" && decision !== "rejected") return null;
  if (tags.gate_version !== undefined && tags.gate_version !== String(mv.version)) return null;
  const { meta } = await data.meta();
  type Model = { name?: string; version?: number; checks?: GateRecord["checks"]; comparison?: GateRecord["comparison"] };
  const runs = await meta.listPipelineRuns(data.project.config.name, GATE_SEARCH);
  for (const r of runs) {
    const m = (r.summary as { model?: Model } | null)?.model;
    if (m && m.name === mv.name && m.version === mv.version && Array.isArray(m.checks)) {
      return { decision, reason: tags.gate_reason ?? "", pipelineRunId: r.id, checks: m.checks, comparison: m.comparison ?? null };
    }
  }
  return { decision, reason: tags.gate_reason ?? "", pipelineRunId: null, checks: null, comparison: null };
}
