// A recommender as the serving layer's Predictor: POST /predict with {"user", "item"} records answers the model's
// score for the pair (a rating estimate, or an implicit score); /recommend and V2 infer with only the user tensor
// (serve/recommend-v2.ts) ask it for top-K lists.

import { ValidationError } from "../errors.js";
import { decodeArtifact } from "../learn/artifact.js";
import type { PredictionOutput, Predictor, Signature } from "../records.js";
import { loadRecommender, type RecommenderModel } from "./model.js";

export class RecommenderPredictor implements Predictor {
  readonly signature: Signature;
  constructor(readonly recommender: RecommenderModel) {
    const { user, item } = recommender.info.columns;
    this.signature = {
      inputs: [
        { name: user, type: "string", nullable: false },
        { name: item, type: "string", nullable: false },
      ],
      output: { task: "regression" },
    };
  }

  predictRecords(records: ReadonlyArray<Record<string, unknown>>): PredictionOutput[] {
    const { user, item } = this.recommender.info.columns;
    const pairs = records.map((r, j) => {
      for (const f of [user, item]) {
        const v = r[f];
        if (typeof v !== "string" && typeof v !== "number") throw new ValidationError(`records[${j}].${f} must be an id (text or number)`, { path: `records[${j}].${f}` });
      }
      return { user: String(r[user]), item: String(r[item]) };
    });
    return Array.from(this.recommender.predictPairs(pairs), (value) => ({ value }));
  }
}

export const isRecommenderPredictor = (p: Predictor): p is RecommenderPredictor => p instanceof RecommenderPredictor;

/** True for an artifact written by recommendation training (false for tabular models and unreadable bytes). */
export function isRecommenderArtifact(bytes: Uint8Array): boolean {
  try {
    return (decodeArtifact(bytes) as { kind?: unknown })?.kind === "millrace-recommender";
  } catch {
    return false;
  }
}

/** A recommender artifact as a Predictor, or null for any other artifact (the caller loads it as a tabular model). */
export function loadRecommenderPredictor(bytes: Uint8Array): RecommenderPredictor | null {
  return isRecommenderArtifact(bytes) ? new RecommenderPredictor(loadRecommender(bytes)) : null;
}
