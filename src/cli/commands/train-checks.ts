// What `millrace train` refuses or warns about before and after training: options that do not fit the task found, and
// a split whose test metrics say little (a tiny test set, classes with a train row or none, metrics undefined there).
import { ValidationError } from "../../errors.js";
import { METRICS, metricsOfTask } from "../../learn/metric-registry.js";
import { MIN_CLASS_TRAIN_ROWS, thinClasses } from "../../learn/target.js";
import type { Column, Task } from "../../records.js";

/** --test-fraction as a share strictly between 0 and 1, or a usage error naming the option. */
export function testFractionOf(raw: string): number {
  const f = Number(raw);
  if (raw.trim() === "" || !(f > 0 && f < 1)) {
    throw new ValidationError(`--test-fraction ${raw}: the held-out share must be a number between 0 and 1 (exclusive)`, {
      path: "--test-fraction",
      hint: "use e.g. --test-fraction 0.2 to hold out 20% of the rows, or --test-rows FILE to name them",
    });
  }
  return f;
}

/** --positive names class 1 of a binary target: for any other task it would be ignored, so it is refused. */
export function checkPositive(positive: string | undefined, task: Task, why: string): void {
  if (positive === undefined || task === "binary") return;
  throw new ValidationError(`--positive ${positive}: only a binary target has a positive class, and this one is ${task} (${why})`, {
    path: "--positive",
    hint: task === "regression" ? "leave --positive out (or pass --task binary for a two-valued target)" : "leave --positive out: every class is scored alike in multiclass",
  });
}

/** Fewer test rows than this: a test metric moves by whole percents when one row changes side. */
export const FEW_TEST_ROWS = 30;

/**
 * Warnings about the split, in the user's words: a test set too small to trust, classes with fewer than 2 train rows
 * (named), and test rows of classes no train row has (the model cannot predict them, yet the metrics count them).
 */
export function splitWarnings(target: Column, task: Task, trainRows: Uint32Array, testRows: Uint32Array): string[] {
  const out: string[] = [];
  if (testRows.length > 0 && testRows.length < FEW_TEST_ROWS) {
    out.push(`only ${testRows.length} test row${testRows.length === 1 ? "" : "s"}: test metrics are noisy (one row more or less moves them a lot); --cv 5 gives a mean over the train rows too`);
  }
  if (task === "regression") return out;
  const thin = thinClasses(target, trainRows, testRows);
  const said = (c: { label: string }) => `"${c.label}"`;
  const few = thin.filter((c) => c.trainRows > 0);
  if (few.length) {
    const each = few.map((c) => `${said(c)} (${c.trainRows} train row${c.trainRows === 1 ? "" : "s"})`);
    out.push(`class${few.length === 1 ? "" : "es"} ${names(each)}: too few to learn ${few.length === 1 ? "it" : "them"} from (a class needs ${MIN_CLASS_TRAIN_ROWS} train rows or more)`);
  }
  const unseen = thin.filter((c) => c.trainRows === 0);
  if (unseen.length) {
    const rows = unseen.reduce((a, c) => a + c.testRows, 0);
    out.push(`class${unseen.length === 1 ? "" : "es"} ${names(unseen.map(said))} ${unseen.length === 1 ? "is" : "are"} in ${rows} test row${rows === 1 ? "" : "s"} but in no train row: the model never learnt ${unseen.length === 1 ? "it" : "them"}, and the test metrics count ${rows === 1 ? "that row" : "those rows"} as errors`);
  }
  return out;
}

/** Why a metric of the task is missing (or NaN) from the test metrics, by name: what --json prints as null. */
export function undefinedMetrics(task: Task, metrics: Record<string, number>, testRows: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of metricsOfTask(task)) {
    const v = metrics[name];
    if (v !== undefined && !Number.isNaN(v)) continue;
    const why = METRICS.get(name)?.undefinedWhen;
    out[name] = `undefined on ${testRows} test row${testRows === 1 ? "" : "s"}${why ? ` (${why})` : ""}`;
  }
  return out;
}

/** "a", "a and b", "a, b and c". */
function names(items: string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
