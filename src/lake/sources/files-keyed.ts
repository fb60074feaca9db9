// Landing files with a key: each new or re-saved file upserts its rows by key into bronze (one current row per
// key); a delete-flag column removes keys, and in snapshot mode each file is the whole table, so absent keys go.
import fs from "node:fs";
import path from "node:path";
import { ValidationError } from "../../errors.js";
import { sha256File } from "../hash.js";
import { formatOf, type SourceOptions } from "../ingest-file.js";
import type { Source } from "../ingest.js";
import { commitKeyed, type KeyedIngestResult } from "../keyed-commit.js";
import type { Lake } from "../lake.js";

/** The delete-flag column a keyed file source reads unless it names another. */
export const DEFAULT_DELETE_COLUMN = "_deleted";

export interface KeyedFileOptions extends SourceOptions {
  key: string[];
  /** A true value in this column deletes the row's key (default `_deleted`); the column is not stored. */
  deleteColumn?: string;
  /** upsert: files add and change rows; snapshot: each file is the full table, keys absent from it are deleted. */
  mode?: "upsert" | "snapshot";
}

export async function ingestKeyedFiles(lake: Lake, table: string, files: string[], opts: KeyedFileOptions): Promise<KeyedIngestResult> {
  const { key, deleteColumn, mode, ...read } = opts;
  const sources: Source[] = files.map((f) => {
    const abs = path.resolve(f);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
      throw new ValidationError(`source file ${f} does not exist or is not a file`, { path: f, hint: "check the path and glob" });
    }
    formatOf(abs, read.format);
    const hash = sha256File(abs);
    hash.catch(() => undefined); // awaited by the commit; a read error surfaces there
    return { abs, label: abs, key: path.relative(lake.root, abs), hash, opts: read };
  });
  return commitKeyed(lake, table, sources, {
    key, deleteColumn: deleteColumn ?? DEFAULT_DELETE_COLUMN, snapshot: mode === "snapshot", remember: true,
  });
}
