// What converting one source file yields: the rows written and the rows set aside for quarantine. Its own file so the
// converter (ingest-file.ts) and the JSON salvage path it calls (json-salvage.ts) share it without importing each other.
import type { SchemaChange } from "./schema-policy.js";

/** A row set aside instead of entering the table: which rule, why, and where it came from. */
export interface QuarantineRow {
  rule: string;
  reason: string;
  source_file: string | null;
  line: number | null;
  raw: string | null;
}

export interface BadRowSample {
  line: number;
  reason: string;
}

export interface FileWriteResult {
  rows: number;
  quarantine: QuarantineRow[];
  /** Set when the whole file could not be read (no rows taken from it). */
  error?: string;
  /** False when nothing was written (empty file, or every row bad). */
  written: boolean;
  schemaChanges: SchemaChange[];
}
