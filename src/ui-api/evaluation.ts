// A version's evaluation for the dashboard (ROC / PR, confusion by threshold, calibration, importance, residuals,
// computed once per version by src/app/evaluation.ts and kept as a run artifact), and the metric registry's
// directions, so pages mark the best value of a metric by what it measures rather than by its name.
import type { Hono } from "hono";
import { versionEvaluation, type EvaluationReport } from "../app/evaluation.js";
import { METRICS } from "../learn/metric-registry.js";
import type { UiData } from "./data.js";
import { handle, notFound, versionParam } from "./http.js";
import type { MetricDefinitionsResponse } from "./types.js";

/** Reports kept in memory, newest last (each is computed or read once per version per server). */
const KEEP = 16;

export function evaluationRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  const reports = new Map<string, Promise<EvaluationReport>>();

  api.get(
    "/models/:name/:version/evaluation",
    handle(async (c): Promise<EvaluationReport> => {
      const name = c.req.param("name") ?? "";
      const version = versionParam(c);
      const key = `${name}@${version}`;
      let p = reports.get(key);
      if (!p) {
        p = (async () => {
          const { meta } = await data.meta();
          const mv = await meta.getModelVersion(name, version);
          if (!mv) throw notFound(`no version ${version} of model ${name}`, "list the versions with: millrace models");
          return versionEvaluation(await data.withLake(), mv);
        })();
        p.catch(() => reports.delete(key));
        reports.set(key, p);
        while (reports.size > KEEP) reports.delete(reports.keys().next().value!);
      }
      return p;
    }, log),
  );

  api.get(
    "/metric-definitions",
    handle(async (): Promise<MetricDefinitionsResponse> => ({
      metrics: [...METRICS.values()].map((d) => ({ name: d.name, higherIsBetter: d.higherIsBetter, tasks: Object.keys(d.compute) })),
    }), log),
  );
}
