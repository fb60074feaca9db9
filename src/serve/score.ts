// Scores validated records with one served model and counts it; then hands the answered request to the sink (the log).
import { randomUUID } from "node:crypto";
import type { PredictionOutput } from "../records.js";
import { versionMetrics, type ServeMetrics } from "./metrics.js";
import type { LoggedAnswer, PredictionSink, ServedModel } from "./types.js";

export interface Scored {
  outputs: PredictionOutput[];
  ids: string[];
}

// Prediction ids keep the UUID spelling: 74 random bits drawn once per process (version and variant bits of a v4
// UUID included) then a 48-bit counter, so ids stay unique across workers and restarts without a random draw per id.
// The counter's last 3 hex digits come from a table and the 9 before them are re-spelled every 4,096 ids: one string
// concatenation per id.
const idPrefix = randomUUID().slice(0, 24);
const LOW = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, "0"));
let idHigh = Math.floor(Math.random() * 2 ** 28);
let idLow = 4095;
let idHead = "";

/** The next prediction id of this process. */
export function predictionId(): string {
  if (++idLow === 4096) {
    idLow = 0;
    idHigh = idHigh >= 0xfffffffff ? 0 : idHigh + 1;
    idHead = idPrefix + idHigh.toString(16).padStart(9, "0");
  }
  return idHead + LOW[idLow];
}

/** The number a prediction-value histogram sees: the positive class's probability, else the value. */
export function scalarOf(o: PredictionOutput, positive: string | undefined): number {
  if (o.value !== undefined) return o.value;
  const p = o.probabilities;
  if (p && positive !== undefined && p[positive] !== undefined) return p[positive];
  return NaN;
}

/** Runs the model, checks it answered once per record, gives each answer an id and counts it. */
export function score(served: ServedModel, records: Record<string, unknown>[], metrics: ServeMetrics): Scored {
  const outputs = served.predictor.predictRecords(records);
  if (!Array.isArray(outputs) || outputs.length !== records.length) {
    throw new Error(`model ${served.provenance.model}@${served.provenance.version} returned ${Array.isArray(outputs) ? outputs.length : "no"} answers for ${records.length} records`);
  }
  const n = records.length;
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = predictionId();
  const labelled = versionMetrics(metrics, served.provenance);
  labelled.predictions.inc(n);
  const positive = served.predictor.signature.output.positive;
  const hist = labelled.predictionValue;
  // At most ~100 values per request feed the histogram (strided): its shape is what matters, and a full observe
  // per row of a 1,000-record batch costs as much as parsing it.
  const step = n > 100 ? Math.ceil(n / 100) : 1;
  for (let i = 0; i < n; i += step) {
    const v = scalarOf(outputs[i], positive);
    if (Number.isFinite(v)) hist.observe(v);
  }
  return { outputs, ids };
}

/** The request and response JSON as the HTTP layer has them: whole texts, the body's bytes, or pieces to concatenate. */
export interface LogTexts {
  requestJson?: string;
  requestBytes?: Uint8Array;
  requestParts?: readonly string[];
  responseJson?: string;
  responseParts?: readonly string[];
}

/**
 * Gives the answered request to the sink: whole when it takes requests (the prediction log writes one line per
 * request, reusing the JSON texts already made), else one Prediction per record. Never throws.
 */
export function logAnswer(
  sink: PredictionSink | undefined,
  served: ServedModel,
  role: string,
  records: Record<string, unknown>[],
  scored: Scored,
  latencyMs: number,
  texts?: LogTexts,
): void {
  if (!sink) return;
  const prov = served.provenance;
  const alias = role === "shadow" ? "shadow" : prov.alias;
  const at = isoNow();
  try {
    if (sink.logRequest) {
      // One object literal with every field (no spread): its shape stays the same from request to request.
      const r: LoggedAnswer = {
        model: prov.model,
        version: prov.version,
        alias,
        at,
        latencyMs,
        ids: scored.ids,
        records,
        outputs: scored.outputs,
        requestJson: texts?.requestJson,
        requestBytes: texts?.requestBytes,
        requestParts: texts?.requestParts,
        responseJson: texts?.responseJson,
        responseParts: texts?.responseParts,
      };
      sink.logRequest(r);
      return;
    }
    for (let i = 0; i < records.length; i++) {
      sink.log({ id: scored.ids[i], model: prov.model, version: prov.version, alias, inputs: records[i], output: scored.outputs[i], latencyMs, at });
    }
  } catch {
    // The sink promises not to throw; if it does anyway the answer still goes out.
  }
}

let lastMs = NaN;
let lastIso = "";

/** The ISO time now, formatted once per millisecond (thousands of answers share one at full load). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
