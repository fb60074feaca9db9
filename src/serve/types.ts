// The serving layer's small contracts: what it serves, where models come from, where answers are logged.
import type { AnsweredRequest, Prediction, Predictor, Provenance, Signature } from "../records.js";

/** A loaded model and the provenance stamped on every answer it computes; treat as immutable. */
export interface ServedModel {
  predictor: Predictor;
  provenance: Provenance;
  /** A model trained on a feature service: requests carry entity keys, `binding` looks the features up (feature-lookup.ts). */
  features?: { binding: FeatureBinding; scorer: ServedModel };
}

export type Role = "primary" | "canary" | "shadow";

/** The models one request is answered with: the one that answers, and an optional shadow that only logs. */
export interface Route {
  served: ServedModel | null;
  role: Role;
  shadow: ServedModel | null;
  /** Outcome of the answering model (false = it failed, not the client), for SLO guards. */
  report?(served: ServedModel, ok: boolean, latencyMs: number): void;
}

/** Asked once per request; may return a different model between requests (hot swap). */
export interface ModelSource {
  current(): ServedModel | null;
  /** Traffic policy (canary, shadow); `key` makes the choice sticky. Without it every request gets current(). */
  route?(key: string | null): Route;
  /** Every model this source may answer with, for GET /models and the V2 metadata routes. */
  list?(): Array<{ served: ServedModel; role: Role; percent?: number }>;
}

export type { AnsweredRequest } from "../records.js";

/** An answered request with the request body's bytes as received, or its JSON in pieces (see LogTexts in score.ts). */
export type LoggedAnswer = AnsweredRequest & { requestBytes?: Uint8Array; requestParts?: readonly string[]; responseParts?: readonly string[] };

/** Where served predictions go (the monitor's prediction log). Must never block or throw into a request. */
export interface PredictionSink {
  log(p: Prediction): void;
  /** A whole answered request at once; when present it is called instead of log() per record. */
  logRequest?(r: LoggedAnswer): void;
  /** Entries dropped so far (full queue); exported as a metric when present. */
  dropped?(): number;
}

/** Handles a POST /feedback body (labels for earlier prediction ids) and says what was joined. */
export type FeedbackHandler = (body: unknown) => Promise<unknown> | unknown;

/** A canary that breached its SLO: what the server did (stopped routing to it) and why; the registry may roll the alias back. */
export interface RollbackDecision {
  model: string;
  version: number;
  alias: string | null;
  reason: string;
  errorRate: number;
  p99Ms: number;
  requests: number;
  windowMs: number;
  at: string;
}

/** A feature value older than its view's TTL when it was served. */
export interface StaleFeature {
  record: number;
  view: string;
  key: string;
  eventTime: string;
  ageSeconds: number;
  ttlSeconds: number;
}

export interface EnrichedRecords {
  /** Request fields + looked-up + on-demand features, one per request record. */
  records: Record<string, unknown>[];
  /** Per record: each view's event time of the row used (ISO), null when the view had no row. */
  timestamps: Record<string, string | null>[];
  stale: StaleFeature[];
}

/** What the feature store hands the server for a model trained on one of its services. */
export interface FeatureBinding {
  service: string;
  /** What a request carries: the entity join keys (strings; numbers are accepted) and the request-time fields. */
  requestSignature: Signature;
  joinKeys: string[];
  /** Features the model reads, in the order the answer lists them. */
  featureNames: string[];
  /** The trained model (its signature lists every feature); the served predictor shows `requestSignature`. */
  model: Predictor;
  /** Looks up the features of validated request records; a missing entity is a NotFoundError naming the key. */
  enrich(records: Record<string, unknown>[]): Promise<EnrichedRecords>;
  /** Join-key values of one entity every view holds online (for a start-up example request), or null. */
  exampleKeys?(): Promise<Record<string, string> | null>;
}
