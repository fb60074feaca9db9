// Records pushed to a keyed source (POST /ingest/<source>): each batch upserts by key like a landing file of that
// source, so a push never adds a second row for a key; a repeated batch id is read once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { sha256Text } from "../hash.js";
import type { RecordsOptions } from "../ingest.js";
import { commitKeyed, type KeyedIngestResult } from "../keyed-commit.js";
import type { Lake } from "../lake.js";
import { DEFAULT_DELETE_COLUMN } from "./files-keyed.js";

export interface KeyedRecordsOptions extends RecordsOptions {
  key: string[];
  /** A true value in this field deletes the record's key (default `_deleted`). */
  deleteColumn?: string;
}

/** An NDJSON body, one JSON object a line; malformed lines go to the quarantine with their line numbers. */
export async function ingestKeyedNdjson(lake: Lake, table: string, text: string, opts: KeyedRecordsOptions): Promise<KeyedIngestResult> {
  const batchId = opts.batchId ?? randomUUID();
  const tmp = path.join(os.tmpdir(), `millrace-push-${randomBytes(6).toString("hex")}.ndjson`);
  fs.writeFileSync(tmp, text);
  try {
    return await commitKeyed(lake, table, [{
      abs: tmp, label: opts.source ?? `records:${batchId}`, key: `batch:${batchId}`, hash: sha256Text(batchId),
      opts: { format: "json", ...(opts.schemaPolicy ? { schemaPolicy: opts.schemaPolicy } : {}) },
    }], { key: opts.key, deleteColumn: opts.deleteColumn ?? DEFAULT_DELETE_COLUMN, remember: true, refuseWithoutRows: true });
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
