// Partitions of a pipeline (pipelines.NAME.partitions): daily or monthly keys, and which landing files belong to a
// key (the date read from the file's name), so a partition's run ingests exactly its files.
import path from "node:path";
import { ValidationError } from "../errors.js";
import type { PipelineConfig } from "../project/config-pipelines.js";

export type PartitionSpec = NonNullable<PipelineConfig["partitions"]>;
/** What the keys of a pipeline's partitions need: partitions: or partition_by: give both. */
export type PartitionKeys = Pick<PartitionSpec, "granularity" | "start">;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

/** A key as the granularity writes it: YYYY-MM-DD (day) or YYYY-MM (month); a day given for a month is cut. */
export function partitionKey(spec: Pick<PartitionSpec, "granularity">, text: string, what = "partition"): string {
  const key = spec.granularity === "month" && DAY.test(text) ? text.slice(0, 7) : text;
  const ok = spec.granularity === "day" ? DAY.test(key) && !Number.isNaN(Date.parse(`${key}T00:00:00Z`)) : MONTH.test(key) && !Number.isNaN(Date.parse(`${key}-01T00:00:00Z`));
  if (!ok) throw new ValidationError(`${what} "${text}" is not a ${spec.granularity}: write ${spec.granularity === "day" ? "YYYY-MM-DD" : "YYYY-MM"}`, { path: what });
  return key;
}

/** Every key from `from` to `to` inclusive, oldest first; `from` may not be before the pipeline's start. */
export function partitionRange(spec: PartitionKeys, from: string, to: string): string[] {
  const first = partitionKey(spec, from, "--from");
  const last = partitionKey(spec, to, "--to");
  const start = partitionKey(spec, spec.start, "partitions.start");
  if (first < start) throw new ValidationError(`--from ${first} is before the pipeline's first partition ${start}`, { path: "--from", hint: `use --from ${start} or later` });
  if (last < first) throw new ValidationError(`--to ${last} is before --from ${first}`, { path: "--to" });
  const out: string[] = [];
  const d = new Date(`${spec.granularity === "day" ? first : `${first}-01`}T00:00:00Z`);
  for (;;) {
    const key = d.toISOString().slice(0, spec.granularity === "day" ? 10 : 7);
    if (key > last) break;
    out.push(key);
    if (out.length > 10_000) throw new ValidationError(`${first} to ${last} is more than 10,000 partitions`, { path: "--to" });
    if (spec.granularity === "day") d.setUTCDate(d.getUTCDate() + 1);
    else d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/** Whether a landing file belongs to partition `key`: the date its name carries (file_date's first group). */
export function fileInPartition(spec: PartitionSpec, key: string): (file: string) => boolean {
  const re = new RegExp(spec.file_date);
  return (file) => {
    const m = re.exec(path.basename(file));
    return m?.[1] !== undefined && m[1].slice(0, key.length) === key;
  };
}
