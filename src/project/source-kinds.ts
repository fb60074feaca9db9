// What each kind of source is, in one place: a landing folder (files, and HTTP pushes into the same bronze table) or a
// PostgreSQL table pulled by a cursor. Callers ask here instead of testing `"postgres" in source` each on their own.
import type { FileSourceConfig, PostgresSourceConfig, SourceConfig } from "./config.js";

export type SourceKind = "files" | "postgres";

export const SOURCE_KINDS: Readonly<Record<SourceKind, { landingFolder: boolean; acceptsPushes: boolean; pulled: boolean }>> = {
  files: { landingFolder: true, acceptsPushes: true, pulled: false },
  postgres: { landingFolder: false, acceptsPushes: false, pulled: true },
};

export function sourceKindOf(source: SourceConfig): SourceKind {
  return "postgres" in source ? "postgres" : "files";
}

/** A source pulled from PostgreSQL (narrows the config type). */
export function isPostgresSource(source: SourceConfig): source is PostgresSourceConfig {
  return sourceKindOf(source) === "postgres";
}

/** Sources whose files arrive in a landing folder (watched, and open to POST /ingest). */
export function fileSources(sources: SourceConfig[]): FileSourceConfig[] {
  return sources.filter((s): s is FileSourceConfig => SOURCE_KINDS[sourceKindOf(s)].landingFolder);
}

/** Sources pulled from a database on every run. */
export function pulledSources(sources: SourceConfig[]): PostgresSourceConfig[] {
  return sources.filter((s): s is PostgresSourceConfig => SOURCE_KINDS[sourceKindOf(s)].pulled);
}
