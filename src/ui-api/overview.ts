// The dashboard's first page: the project, the model version the server answers with and its aliases, and the
// latest pipeline runs (status, duration, tables, whether a model was promoted and why).
import type { Hono } from "hono";
import { servingAlias } from "../app/workspace.js";
import { Registry } from "../registry/registry.js";
import type { UiData } from "./data.js";
import { handle } from "./http.js";
import { pipelineBrief } from "./pipeline.js";
import type { OverviewResponse } from "./types.js";

export function overviewRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/overview",
    handle(async (): Promise<OverviewResponse> => {
      const r = await data.meta();
      const cfg = data.project.config;
      const alias = servingAlias(data.project);
      const [versions, pipelines, runs] = await Promise.all([
        r.meta.listModelVersions(cfg.registry.model),
        r.meta.listPipelineRuns(cfg.name, 5),
        r.meta.countRuns(),
      ]);
      const served = versions.find((v) => v.aliases.includes(alias)) ?? null;
      const aliases: Record<string, number> = {};
      for (const v of versions) for (const a of v.aliases) aliases[a] = v.version;
      const briefs = pipelines.map(pipelineBrief);
      return {
        project: { name: cfg.name, description: cfg.description ?? null, dir: data.project.dir },
        model: { name: cfg.registry.model, alias, served: served ? { ...served, stage: Registry.stageOf(served) } : null, aliases, versions: versions.length },
        latestPipeline: briefs[0] ?? null,
        recentPipelines: briefs,
        counts: { runs },
      };
    }, log),
  );
}
