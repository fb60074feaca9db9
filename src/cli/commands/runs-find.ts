// A run named the way the tables print it: its full id, or a prefix (the 8 characters `millrace runs` shows).
import { NotFoundError, ValidationError } from "../../errors.js";
import type { Run } from "../../records.js";
import type { MetadataStore } from "../../store/metadata-store.js";

/** The run whose id is `id` or starts with it; a prefix naming no run or several is refused. */
export async function findRun(meta: Pick<MetadataStore, "getRun" | "listRuns">, id: string): Promise<Run> {
  const exact = await meta.getRun(id);
  if (exact) return exact;
  const hits = id ? (await meta.listRuns({ limit: 1_000_000 })).filter((run) => run.id.startsWith(id)) : [];
  if (hits.length === 0) throw new NotFoundError(`no run ${id}`, { hint: "list runs with: millrace runs --all" });
  if (hits.length > 1) throw new ValidationError(`run id "${id}" matches ${hits.length} runs`, { hint: "give more characters of the id (millrace runs --all)" });
  return hits[0];
}
