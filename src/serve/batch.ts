// Batch scoring core for `millrace predict`: validates and scores record chunks as they stream in, memory bounded by one chunk.
import { ValidationError } from "../errors.js";
import type { PredictionOutput, Predictor } from "../records.js";
import { validatorFor, type ExtraFields } from "./validate.js";

export interface BatchScoreOptions {
  /** Fields of the input the signature does not declare: ignored by default here (files carry ids, targets, ...). */
  extraFields?: ExtraFields;
  /** Called after each chunk with the rows scored so far. */
  onProgress?: (rowsDone: number) => void;
}

export interface ScoredChunk {
  /** Row number of the chunk's first record in the whole input (0-based). */
  offset: number;
  records: Record<string, unknown>[];
  outputs: PredictionOutput[];
}

/**
 * Same validation as POST /predict (one schema per signature), so a file scores exactly as the server would; an error
 * names the row in the whole input (`rows[120031].tenure`), not in its chunk.
 */
export async function* scoreChunks(predictor: Predictor, chunks: AsyncIterable<ReadonlyArray<Record<string, unknown>>> | Iterable<ReadonlyArray<Record<string, unknown>>>, opts: BatchScoreOptions = {}): AsyncGenerator<ScoredChunk> {
  const validator = validatorFor(predictor.signature, { extraFields: opts.extraFields ?? "ignore", maxRecords: Number.MAX_SAFE_INTEGER });
  let offset = 0;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    let records: Record<string, unknown>[];
    try {
      records = validator.parseRecords(chunk, "rows");
    } catch (e) {
      // Re-number the row from chunk-local to input-global.
      if (e instanceof ValidationError && typeof e.details.path === "string") {
        const m = /^rows\[(\d+)\](.*)$/.exec(e.details.path);
        if (m) {
          const path = `rows[${offset + Number(m[1])}]${m[2]}`;
          throw new ValidationError(e.message.replace(e.details.path, path), { ...e.details, path });
        }
      }
      throw e;
    }
    const outputs = predictor.predictRecords(records);
    if (outputs.length !== records.length) throw new Error(`the model returned ${outputs.length} answers for ${records.length} rows`);
    yield { offset, records, outputs };
    offset += records.length;
    opts.onProgress?.(offset);
  }
}
