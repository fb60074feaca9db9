// The final fit's loss per boosting round (TrainRequest.learningCurve): one point a round, falling on the training
// sample, the validation loss when early stopping holds rows out, and the same model as without the curve.
import { describe, expect, it } from "vitest";
import { sharedDataFile } from "../../test/shared-data.js";
import { readCsvFrame } from "./test-helpers/csv.js";
import { trainCandidate, type TrainRequest } from "./train.js";

const FILE = sharedDataFile("breast_cancer.csv", "the learning-curve tests");
const frame = FILE ? readCsvFrame(FILE) : null;
const features = frame ? frame.columns.map((c) => c.name).filter((c) => c !== "target") : [];
const request = (params: Record<string, unknown>, learningCurve: boolean): TrainRequest => ({
  frame: frame!,
  target: "target",
  features,
  task: "binary",
  positive: "0",
  testRows: Uint32Array.from({ length: 100 }, (_, i) => i * 5),
  cvFolds: 0,
  seed: 3,
  candidate: { name: "gbdt", model: "gbdt", params },
  learningCurve,
});

describe.skipIf(frame === null)("learning curve", () => {
  it("gbdt: train loss per round, falling; the model is the one trained without the curve", async () => {
    const params = { n_estimators: 30, subsample: 0.8, colsample_bytree: 0.8 };
    const [withCurve, without] = [await trainCandidate(request(params, true)), await trainCandidate(request(params, false))];
    const curve = withCurve.learningCurve!.train_binary_logloss;
    expect(curve.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(curve[29].value).toBeLessThan(curve[0].value / 3);
    expect(without.learningCurve).toBeUndefined();
    expect(withCurve.testMetrics.roc_auc).toBe(without.testMetrics.roc_auc);
  });
  it("gbdt with early stopping: the validation loss too, up to the round it stopped at", async () => {
    const r = await trainCandidate(request({ n_estimators: 400, learning_rate: 0.3, early_stopping_rounds: 5 }, true));
    const { train_binary_logloss: train, valid_binary_logloss: valid } = r.learningCurve!;
    expect(valid.length).toBe(train.length);
    expect(train.length).toBeLessThan(400);
    expect(Math.min(...valid.map((p) => p.value))).toBeLessThan(valid[0].value);
  });
});
