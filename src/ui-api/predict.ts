// Scoring from the dashboard: POST /api/models/{name}/{version|alias}/predict answers with exactly the version named
// (served or not), its provenance, the out-of-range flags and, asked with `"explain": true[, "explain_top": K]`, the
// explanations, the way /predict answers for the served alias (the same body reading, serve/explain-request.ts).
// Nothing is logged: a person trying inputs on a page is not traffic, and must not move the drift statistics.
import type { Hono } from "hono";
import { ValidationError } from "../errors.js";
import { loadModel } from "../learn/train.js";
import type { Predictor } from "../records.js";
import { readJsonBody } from "../serve/body.js";
import { explainerOfPredictor, splitExplainBody } from "../serve/explain-request.js";
import { MAX_FLAGS_SHOWN } from "../serve/ranges.js";
import { validatorFor } from "../serve/validate.js";
import type { UiData } from "./data.js";
import { handle } from "./http.js";
import type { PredictResponse } from "./types.js";

const MAX_BODY = 1024 * 1024;
const MAX_RECORDS = 1000;
/** Loaded models kept for the next request, newest last (a page sends one request per click). */
const KEEP = 4;

export function predictRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  const loaded = new Map<string, Promise<Predictor>>();
  const load = (key: string, bytes: () => Promise<Uint8Array>): Promise<Predictor> => {
    let p = loaded.get(key);
    if (p) loaded.delete(key);
    else p = bytes().then((b) => loadModel(b));
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
    while (loaded.size > KEEP) loaded.delete(loaded.keys().next().value!);
    return p;
  };

  api.post(
    "/models/:name/:ref/predict",
    handle(async (c): Promise<PredictResponse> => {
      const { registry } = await data.meta();
      const name = c.req.param("name") ?? "";
      const ref = c.req.param("ref") ?? "";
      if (/^\d+$/.test(ref) && Number(ref) < 1) throw new ValidationError(`"${ref}" is not a version number`, { path: "version", hint: "versions count from 1" });
      const mv = await registry.resolve(name, ref);
      // Versions are immutable: name@version names the same artifact for the server's life.
      const model = await load(`${mv.name}@${mv.version}`, () => registry.loadArtifact(mv));
      const validator = validatorFor(mv.signature, { maxRecords: MAX_RECORDS });
      const { rest, top } = splitExplainBody(await readJsonBody(c.req.raw, MAX_BODY));
      const records = validator.parseBody(rest);
      const flags = validator.ranges?.(records, "records") ?? [];
      // Before scoring, as /predict: a model that cannot explain is a 400 naming explain; its clock counts explaining.
      const t0 = performance.now();
      const explanations = top > 0 ? explainerOfPredictor(model).explainRecords(records, top) : undefined;
      const predictions = model.predictRecords(records);
      return {
        predictions,
        provenance: {
          model: mv.name,
          version: mv.version,
          alias: /^\d+$/.test(ref) ? null : ref,
          runId: mv.runId,
          datasetId: mv.datasetId,
          datasetHash: mv.datasetHash,
          artifactUri: mv.artifactUri,
        },
        aliases: mv.aliases,
        flags: flags.slice(0, MAX_FLAGS_SHOWN),
        flagged: flags.length,
        ms: performance.now() - t0,
        ...(explanations ? { explanations } : {}),
      };
    }, log),
  );
}
