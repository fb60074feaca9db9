// KServe V2 infer for a model served with a feature service: the input tensors are what its V2 metadata lists (entity
// keys and request-time fields); the features are looked up as /predict looks them up (scoreWithFeatures), and the
// answer is a V2 answer whose parameters also name the feature service and any stale features.
import { NotFoundError, ValidationError } from "../errors.js";
import { idsJson } from "./answer-json.js";
import { scoreWithFeatures } from "./feature-lookup.js";
import { noModel, type Answer, type PredictCore } from "./predict.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import { MAX_FLAGS_SHOWN } from "./ranges.js";
import type { Route, ServedModel } from "./types.js";
import { headOf, inTensors, outputsJson, outputTensorsJson, tensorsToRecords } from "./v2-infer.js";

/** The output tensors asked for by name (checked before anything is looked up or scored), or null for all. */
function wantedOutputs(requested: unknown, output: { classes?: string[]; task: string }): string[] | null {
  if (!Array.isArray(requested) || requested.length === 0) return null;
  const names = outputTensorsJson([], output.classes, output.task).map(([t]) => t);
  return requested.map((o: unknown, k) => {
    const n = (o as { name?: unknown } | null)?.name;
    if (typeof n !== "string" || !names.includes(n)) throw new ValidationError(`outputs[${k}].name must be one of ${names.join(", ")}`, { path: `outputs[${k}].name` });
    return n;
  });
}

/** inTensors for the lookup's 404 too: an unknown entity is named by its tensor and row. */
function keyInTensors(e: unknown): unknown {
  if (e instanceof NotFoundError && typeof e.details.path === "string") {
    const m = /^records\[(\d+)\]\.(.+)$/.exec(e.details.path);
    if (m) return new NotFoundError(e.message, { ...e.details, path: `inputs[${m[2]}].data[${m[1]}]` });
  }
  return inTensors(e);
}

/** Answers a V2 infer request to a feature-service model (the route's target from v2Route). */
export async function answerV2WithFeatures(core: PredictCore, target: { route: Route; served: ServedModel }, body: unknown, t0: number): Promise<Answer> {
  const { served } = target;
  if (!served.features) throw noModel();
  const output = served.features.binding.model.signature.output;
  const { records: raw } = tensorsToRecords(body, served.predictor.signature.inputs);
  const want = wantedOutputs((body as { outputs?: unknown }).outputs, output);
  let result: Awaited<ReturnType<typeof scoreWithFeatures>>;
  try {
    result = await scoreWithFeatures(core, target.route, raw, t0);
  } catch (e) {
    throw keyInTensors(e); // records[0].applicant_id → inputs[applicant_id].data[0], where the client put it
  }
  const { scored, found, flags } = result;
  const [head, params] = headOf(served.provenance);
  const id = (body as { id?: unknown }).id;
  const idText = typeof id === "string" ? JSON.stringify(id) : `"${scored.ids[0]}"`;
  const flagged = flags ? `,"out_of_range":${JSON.stringify(flags.slice(0, MAX_FLAGS_SHOWN))},"out_of_range_count":${flags.length}` : "";
  const stale = found.stale.length ? `,"stale":${JSON.stringify(found.stale)}` : "";
  const service = `,"feature_service":${JSON.stringify(served.features.binding.service)}`;
  const text = `${head}${idText}${params}${idsJson(scored.ids)}${service}${stale}${flagged}},"outputs":[${outputsJson(scored.outputs, output.classes, output.task, want)}]}`;
  return { text, headers: cachedProvenanceHeaders(served.provenance) };
}
