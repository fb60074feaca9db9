// Answers say they are ASCII only when they are: the node fast path then sends text.length as the content length
// instead of counting UTF-8 bytes. Non-ASCII class names, provenance, a V2 request id or keys make the answer wide.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseJsonBytes } from "./body.js";
import { serveMetrics } from "./metrics.js";
import { answerPredict, routeFor, type Answer, type PredictCore } from "./predict.js";
import { churnModel, churnSignature, LogisticPredictor } from "./test-helpers/logistic.js";
import type { ServedModel } from "./types.js";
import { answerV2, v2Route } from "./v2-infer.js";
import { answersJson, lastAnswersWide } from "./answer-json.js";

const record = { tenure: 12, monthly_charges: 70.5, total_charges: 846, contract: "One year", paperless_billing: true };

function coreFor(served: ServedModel): PredictCore {
  return { models: { current: () => served }, metrics: serveMetrics(new Registry()), vopts: { maxRecords: 100, extraFields: "reject" }, onShadowError: () => undefined };
}

/** A churn model whose classes (and so labels and probability keys) are these. */
function withClasses(classes: [string, string], model = "churn"): ServedModel {
  const base = churnModel(1);
  const predictor = new LogisticPredictor({ ...churnSignature, output: { ...churnSignature.output, classes, positive: classes[1] } }, { intercept: 0.3, numeric: {}, categorical: {} });
  return { predictor, provenance: { ...base.provenance, model } };
}

function predict(served: ServedModel): Answer {
  const bytes = Buffer.from(JSON.stringify({ records: [record, { ...record, tenure: 3 }] }));
  const body = parseJsonBytes(bytes);
  return answerPredict(coreFor(served), routeFor(coreFor(served).models, null), body.value, 0, body);
}

function v2(served: ServedModel, id?: string): Answer {
  const inputs = Object.entries(record).map(([name, v]) => ({ name, shape: [1], datatype: typeof v === "string" ? "BYTES" : "FP64", data: [v] }));
  const bytes = Buffer.from(JSON.stringify({ inputs, ...(id === undefined ? {} : { id }) }));
  const core = coreFor(served);
  return answerV2(core, v2Route(core, served.provenance.model, undefined, null), JSON.parse(bytes.toString()), 0, bytes);
}

describe("ASCII answers", () => {
  it("are marked ASCII exactly when their UTF-8 length is their length", () => {
    const cases: Array<[string, Answer, boolean]> = [
      ["/predict, churn", predict(churnModel(2)), true],
      ["/predict, class é", predict(withClasses(["Non", "Oui-é"])), false],
      ["/predict, model name ü", predict(withClasses(["No", "Yes"], "chürn")), false],
      ["V2, churn", v2(churnModel(2)), true],
      ["V2, ASCII id", v2(churnModel(2), "req-1"), true],
      ["V2, id ✓", v2(churnModel(2), "req-✓"), false],
      ["V2, class é", v2(withClasses(["Non", "Oui-é"])), false],
      ["V2, model name ü", v2(withClasses(["No", "Yes"], "chürn")), false],
      // Again: the spellings are cached now, and the caches must still say wide.
      ["/predict, class é again", predict(withClasses(["Non", "Oui-é"])), false],
      ["V2, class é again", v2(withClasses(["Non", "Oui-é"])), false],
      ["/predict, churn again", predict(churnModel(2)), true],
      ["V2, churn again", v2(churnModel(2)), true],
    ];
    for (const [name, a, ascii] of cases) {
      expect(a.ascii, name).toBe(ascii);
      expect(Buffer.byteLength(a.text) === a.text.length, name).toBe(ascii);
    }
  });

  it("answersJson says when its text is wide, through the generated writer and the generic walk", () => {
    const lists: Array<[unknown[], boolean]> = [
      [[{ label: "No", probabilities: { No: 0.25, Yes: 0.75 } }], false],
      [[{ label: "Né", probabilities: { No: 0.25, Yes: 0.75 } }], true],
      [[{ label: "No", probabilities: { Né: 0.25, Yes: 0.75 } }], true],
      [[{ value: 1, note: "ça" }], true],
      [[{ value: 1, nested: { deep: ["x", "ÿ"] } }], true],
      [[{ value: 1, nested: { deep: ["x", "y"] } }], false],
      [Array.from({ length: 20 }, () => ({ label: "No", probabilities: { Né: 0.5, Yes: 0.5 } })), true],
      [Array.from({ length: 20 }, () => ({ label: "No", probabilities: { No: 0.5, Yes: 0.5 } })), false],
    ];
    for (const [list, wide] of lists) {
      const text = answersJson(list);
      expect(text).toBe(JSON.stringify(list));
      expect(lastAnswersWide(), text).toBe(wide);
    }
  });
});
