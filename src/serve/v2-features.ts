// KServe V2 infer for a model served with a feature service: the input tensors are what its V2 metadata lists (entity
// keys and request-time fields); the features are looked up as /predict looks them up (scoreWithFeatures), and the
// answer is a V2 answer whose parameters also name the feature service and any stale features.
import { NotFoundError, recordFieldOf } from "../errors.js";
import { idsJson } from "./answer-json.js";
import { scoreWithFeatures } from "./feature-lookup.js";
import { noModel, type Answer, type PredictCore } from "./predict.js";
import { cachedProvenanceHeaders } from "./provenance.js";
import { MAX_FLAGS_SHOWN } from "./ranges.js";
import type { Route, ServedModel } from "./types.js";
import { headOf, inTensors, outputsJson, tensorsToRecords, wantedOutputs } from "./v2-infer.js";
import { explainerOf } from "./explain-request.js";
import { explainTopFor, v2ExplainAsked } from "./v2-explain.js";

/** inTensors for the lookup's 404 too: an unknown entity is named by its tensor and row. */
function keyInTensors(e: unknown): unknown {
  const at = e instanceof NotFoundError ? recordFieldOf(e.details.path) : null;
  if (at) return new NotFoundError((e as NotFoundError).message, { ...(e as NotFoundError).details, path: `inputs[${at.field}].data[${at.row}]` });
  return inTensors(e);
}

/** Answers a V2 infer request to a feature-service model (the route's target from v2Route). */
export async function answerV2WithFeatures(core: PredictCore, target: { route: Route; served: ServedModel }, body: unknown, t0: number): Promise<Answer> {
  const { served } = target;
  if (!served.features) throw noModel();
  const output = served.features.binding.model.signature.output;
  const asked = v2ExplainAsked(body); // the body's fields as any V2 request's
  const { records: raw } = tensorsToRecords(body, served.predictor.signature.inputs);
  const want = wantedOutputs((body as { outputs?: unknown }).outputs, output);
  if (explainTopFor(asked, want) > 0) explainerOf(served); // a 400 naming explain: no explanations with looked-up features
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
