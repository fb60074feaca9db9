// Provenance of a served model as response headers, computed once per served model object.
import type { Provenance } from "../records.js";
import { NON_ASCII } from "./answer-shape.js";

/** Header values must be ISO-8859-1; anything else (a non-ASCII artifact path) is percent-encoded. */
function headerSafe(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}

/** The header names, for CORS `expose-headers` (a browser hides any other response header from scripts). */
export const PROVENANCE_HEADERS = [
  "x-millrace-model",
  "x-millrace-version",
  "x-millrace-alias",
  "x-millrace-run-id",
  "x-millrace-dataset-id",
  "x-millrace-dataset-hash",
  "x-millrace-artifact-uri",
];

export function provenanceHeaders(p: Provenance): Record<string, string> {
  return {
    "x-millrace-model": headerSafe(p.model),
    "x-millrace-version": String(p.version),
    "x-millrace-alias": headerSafe(p.alias ?? ""),
    "x-millrace-run-id": headerSafe(p.runId),
    "x-millrace-dataset-id": headerSafe(p.datasetId),
    "x-millrace-dataset-hash": headerSafe(p.datasetHash),
    "x-millrace-artifact-uri": headerSafe(p.artifactUri),
  };
}

const cache = new WeakMap<Provenance, Record<string, string>>();

/** Cached per provenance object: the served model is immutable, so its headers are too. */
export function cachedProvenanceHeaders(p: Provenance): Record<string, string> {
  let h = cache.get(p);
  if (!h) cache.set(p, (h = provenanceHeaders(p)));
  return h;
}

const jsonCache = new WeakMap<Provenance, string>();
const wideJson = new WeakSet<Provenance>();

/** The provenance as JSON text, made once per provenance object. */
export function cachedProvenanceJson(p: Provenance): string {
  let j = jsonCache.get(p);
  if (j === undefined) {
    jsonCache.set(p, (j = JSON.stringify(p)));
    if (NON_ASCII.test(j)) wideJson.add(p);
  }
  return j;
}

/** Whether cachedProvenanceJson(p), asked before, holds a character outside ASCII. */
export function provenanceJsonWide(p: Provenance): boolean {
  return wideJson.has(p);
}
