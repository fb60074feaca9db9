// What every `millrace train` report ends with (tabular and recommendation alike): the fitted parameters, the
// timings and where the model was saved, under the same keys, so scripts read both the same way.

export interface TrainTimings {
  trainSeconds: number;
  predictSeconds: number;
}

export function reportTail(params: Record<string, unknown>, loadSeconds: number, t: TrainTimings, savedTo?: string) {
  return { params, loadSeconds, trainSeconds: t.trainSeconds, predictSeconds: t.predictSeconds, ...(savedTo ? { savedTo } : {}) };
}
