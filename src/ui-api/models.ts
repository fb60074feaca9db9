// The registry for the dashboard: every model's versions with stage, aliases and metrics, one version's
// signature, input example, run and dataset, and the audited history of alias moves.
import type { Hono } from "hono";
import type { ModelVersion } from "../records.js";
import { Registry } from "../registry/registry.js";
import type { UiData } from "./data.js";
import { handle, notFound, versionParam } from "./http.js";
import { servingAlias } from "./overview.js";
import type { ModelsResponse, ModelVersionDetail } from "./types.js";

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
      return {
        configured: { name: configured, alias: servingAlias(data) },
        models: names.map((name) => ({ name, versions: byName.get(name)!.sort((a, b) => b.version - a.version).map(withStage) })),
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
      const [run, dataset, transitions] = await Promise.all([meta.getRun(mv.runId), meta.getDataset(mv.datasetId), meta.aliasTransitions(name)]);
      return {
        version: withStage(mv),
        run: run ? { id: run.id, name: run.name, status: run.status, startedAt: run.startedAt, params: run.params } : null,
        dataset,
        transitions: transitions.filter((t) => t.fromVersion === version || t.toVersion === version).reverse(),
      };
    }, log),
  );
}
