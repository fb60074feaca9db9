// What a training took, in wall seconds, with one meaning wherever it is shown: a run's metrics (train_seconds,
// final_fit_seconds, cv_seconds, search_seconds), the run summary and `millrace train --json` (trainSeconds, …).

/** The timing metrics a training run logs, with what each measures: `runs show` and the dashboard label them so. */
export const TRAINING_SECONDS_METRICS: Readonly<Record<string, string>> = {
  train_seconds: "wall seconds of all the training the run did: CV folds, search trials and the final fit (feature coding and mean |SHAP| included; scoring the test rows is predict_seconds)",
  final_fit_seconds: "wall seconds of the final fit on every train row alone (the learner's fit; part of train_seconds)",
  cv_seconds: "wall seconds of the cross-validation folds, fits and scoring (part of train_seconds; only when CV ran outside a search)",
  search_seconds: "wall seconds of the search's trials, each scored by CV or a validation split (part of train_seconds)",
  predict_seconds: "wall seconds of scoring the held-out test rows (not part of train_seconds)",
};

/**
 * What a run's timing metric measures, given the run's metrics: a run recorded before the timings had one meaning
 * (2026-12-06) has train_seconds without final_fit_seconds, and there it was the learner's fit alone (recommenders).
 */
export function trainingMetricMeaning(name: string, metrics: Readonly<Record<string, number>>): string | undefined {
  if (name === "train_seconds" && metrics.train_seconds !== undefined && metrics.final_fit_seconds === undefined) {
    return "wall seconds of the final fit alone: recorded before train_seconds meant all the training (no final_fit_seconds beside it)";
  }
  return TRAINING_SECONDS_METRICS[name];
}

/** train >= finalFit + (cv or search): the parts are disjoint stretches of the training. */
export interface TrainingSeconds {
  train: number;
  finalFit: number;
  /** Only when CV folds ran (not inside a search). */
  cv?: number;
  /** Only when a search ran: all its trials. */
  search?: number;
}

/**
 * From a stopwatch around the whole training call: its wall seconds minus the test scoring inside it (`predict`),
 * so train + predict is what the call took. A `cv` or `search` of 0 means none ran.
 */
export function trainingSeconds(wall: number, parts: { finalFit: number; predict: number; cv?: number; search?: number }): TrainingSeconds {
  return {
    train: wall - parts.predict,
    finalFit: parts.finalFit,
    ...(parts.cv ? { cv: parts.cv } : {}),
    ...(parts.search ? { search: parts.search } : {}),
  };
}

/**
 * `auto` searches inside its fit: the seconds of its final fit hold the search (every candidate's CV, the seconds its
 * table shows) and then the refit of the one chosen. Split so that search is the candidates' time and final fit the
 * rest (the refit, with auto's data preparation); a search reported as longer than the fit is capped at it.
 */
export function autoFitParts(finalFit: number, selection: { candidates: readonly { seconds: number }[] } | undefined): { finalFit: number; search?: number } {
  if (!selection) return { finalFit };
  const search = Math.min(finalFit, selection.candidates.reduce((a, c) => a + c.seconds, 0));
  return { finalFit: finalFit - search, search };
}

/** As a run's metrics. */
export function trainingMetrics(t: TrainingSeconds): Record<string, number> {
  return {
    train_seconds: t.train,
    final_fit_seconds: t.finalFit,
    ...(t.cv !== undefined ? { cv_seconds: t.cv } : {}),
    ...(t.search !== undefined ? { search_seconds: t.search } : {}),
  };
}

/** As JSON fields (`millrace train --json`, the run summary's candidates). */
export function trainingFields(t: TrainingSeconds): { trainSeconds: number; finalFitSeconds: number; cvSeconds?: number; searchSeconds?: number } {
  return {
    trainSeconds: t.train,
    finalFitSeconds: t.finalFit,
    ...(t.cv !== undefined ? { cvSeconds: t.cv } : {}),
    ...(t.search !== undefined ? { searchSeconds: t.search } : {}),
  };
}

/** "train 3.20 s (of which 3 CV folds 2.10 s, final fit 0.90 s)": the text the train commands print. */
export function trainingText(t: TrainingSeconds, cvFolds?: number): string {
  const parts = [
    ...(t.cv !== undefined ? [`${cvFolds ? `${cvFolds} ` : ""}CV folds ${t.cv.toFixed(2)} s`] : []),
    ...(t.search !== undefined ? [`search ${t.search.toFixed(2)} s`] : []),
    `final fit ${t.finalFit.toFixed(2)} s`,
  ];
  return `train ${t.train.toFixed(2)} s (of which ${parts.join(", ")})`;
}
