// A worker thread that evaluates search trials: it rebuilds the training session once from the search request
// (the frame is copied to it once), then answers one message per trial.

import { parentPort, workerData } from "node:worker_threads";
import { modelKind } from "../models.js";
import type { Params } from "../params.js";
import { splitParams, TrainingSession } from "../session.js";
import type { Fold } from "../split.js";
import type { SearchRequest } from "./search-request.js";
import { evaluateTrial, type TrialContext } from "./trial.js";

export type TrialWorkerData = { req: Omit<SearchRequest, "onTrial" | "onProgress">; folds: Fold[] };
/** `sampled`: the trial's searched parameters; the fixed ones come with the request. */
export type TrialJob = { id: number; sampled: Params; ctx: TrialContext };

const { req, folds } = workerData as TrialWorkerData;
const session = new TrainingSession(req);
const kind = modelKind(req.candidate.model, req.task);
const { options, learnerParams } = splitParams(req);
const base = kind.create(learnerParams);

parentPort!.on("message", async (job: TrialJob) => {
  try {
    const outcome = await evaluateTrial(session, kind, options, base, job.sampled, folds, job.ctx);
    parentPort!.postMessage({ id: job.id, outcome });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, fatal: (e as Error).stack ?? String(e) });
  }
});
