// One meaning of a training's timings: train is the whole training call minus its test scoring; CV or search time
// is logged only when it ran; metric names, JSON names and the printed line say the same numbers.
import { describe, expect, it } from "vitest";
import { TRAINING_SECONDS_METRICS, autoFitParts, trainingMetricMeaning, trainingFields, trainingMetrics, trainingSeconds, trainingText } from "./training-seconds.js";

describe("training seconds", () => {
  it("takes the test scoring out of the wall time and keeps only the parts that ran", () => {
    const t = trainingSeconds(5, { finalFit: 1, predict: 0.5, cv: 3 });
    expect(t).toEqual({ train: 4.5, finalFit: 1, cv: 3 });
    expect(trainingSeconds(2, { finalFit: 1.5, predict: 0.25, cv: 0 })).toEqual({ train: 1.75, finalFit: 1.5 });
    expect(trainingMetrics(t)).toEqual({ train_seconds: 4.5, final_fit_seconds: 1, cv_seconds: 3 });
    expect(trainingFields(t)).toEqual({ trainSeconds: 4.5, finalFitSeconds: 1, cvSeconds: 3 });
    const searched = trainingSeconds(9, { finalFit: 1, predict: 1, search: 6 });
    expect(trainingMetrics(searched)).toEqual({ train_seconds: 8, final_fit_seconds: 1, search_seconds: 6 });
    expect(trainingFields(searched)).toEqual({ trainSeconds: 8, finalFitSeconds: 1, searchSeconds: 6 });
  });

  it("prints the total with its parts, and describes every metric it logs", () => {
    expect(trainingText({ train: 4.5, finalFit: 1, cv: 3 }, 3)).toBe("train 4.50 s (of which 3 CV folds 3.00 s, final fit 1.00 s)");
    expect(trainingText({ train: 1.75, finalFit: 1.5 })).toBe("train 1.75 s (of which final fit 1.50 s)");
    const logged = Object.keys(trainingMetrics({ train: 3, finalFit: 1, cv: 1, search: 1 }));
    for (const k of [...logged, "predict_seconds"]) expect(TRAINING_SECONDS_METRICS[k], k).toMatch(/wall seconds/);
  });

  it("auto: its search (the candidates' seconds) is split from the final fit that holds it, and printed as search", () => {
    // auto's fit took 10.34 s, of which its 3 candidates took 10.1 s: the refit was 0.24 s, not 10.34 s.
    const parts = autoFitParts(10.34, { candidates: [{ seconds: 4 }, { seconds: 6 }, { seconds: 0.1 }] });
    expect(parts.search).toBeCloseTo(10.1, 12);
    expect(parts.finalFit).toBeCloseTo(0.24, 12);
    const t = trainingSeconds(10.5, { ...parts, predict: 0.1 });
    expect(trainingText(t)).toBe("train 10.40 s (of which search 10.10 s, final fit 0.24 s)");
    expect(trainingMetrics(t)).toMatchObject({ search_seconds: parts.search, final_fit_seconds: parts.finalFit });
    // Never a negative fit: a search measured as longer than the fit is capped at it.
    expect(autoFitParts(1, { candidates: [{ seconds: 2 }] })).toEqual({ finalFit: 0, search: 1 });
    expect(autoFitParts(1, undefined)).toEqual({ finalFit: 1 });
  });
  it("labels an older run's train_seconds (no final_fit_seconds beside it) as the fit alone, as it was recorded", () => {
    expect(trainingMetricMeaning("train_seconds", { train_seconds: 2, final_fit_seconds: 1 })).toBe(TRAINING_SECONDS_METRICS.train_seconds);
    expect(trainingMetricMeaning("train_seconds", { train_seconds: 2 })).toMatch(/^wall seconds of the final fit alone: recorded before/);
    expect(trainingMetricMeaning("cv_seconds", { train_seconds: 2 })).toBe(TRAINING_SECONDS_METRICS.cv_seconds);
    expect(trainingMetricMeaning("rmse", { rmse: 1 })).toBeUndefined();
  });
});
