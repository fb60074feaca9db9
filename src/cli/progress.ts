// Live progress of a pipeline run: one line per task, a bar for tasks that report progress (CV folds, rounds).
import cliProgress from "cli-progress";
import type { TaskEvent } from "../flow/dag.js";
import { color, fmtMs } from "./output.js";

export function taskReporter(opts: { quiet: boolean }): { onEvent(e: TaskEvent): void; stop(): void } {
  const out = process.stderr;
  const tty = out.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let barTask = "";
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  return {
    onEvent(e) {
      if (opts.quiet) return;
      switch (e.type) {
        case "start":
          if (!tty && e.attempt === 1) out.write(`  … ${e.taskId}\n`);
          break;
        case "progress":
          if (!tty) break;
          if (!bar || barTask !== e.taskId) {
            stopBar();
            barTask = e.taskId;
            bar = new cliProgress.SingleBar(
              { format: `  ${color.dim("▸")} ${e.taskId} [{bar}] {value}/{total} {note}`, stream: out, hideCursor: true, clearOnComplete: true, barsize: 24 },
              cliProgress.Presets.shades_classic,
            );
            bar.start(e.total, e.done, { note: e.note ?? "" });
          }
          bar.setTotal(e.total);
          bar.update(e.done, { note: e.note ?? "" });
          break;
        case "retry":
          stopBar();
          out.write(`  ${color.yellow("↻")} ${e.taskId} attempt ${e.attempt} failed, retrying: ${e.error}\n`);
          break;
        case "succeeded":
          stopBar();
          out.write(`  ${color.green("✔")} ${e.taskId.padEnd(40)} ${color.dim(fmtMs(e.ms).padStart(9))}  ${e.note ?? ""}\n`);
          break;
        case "failed":
          stopBar();
          out.write(`  ${color.red("✘")} ${e.taskId.padEnd(40)} ${color.dim(fmtMs(e.ms).padStart(9))}  ${color.red(e.error.split("\n")[0])}\n`);
          break;
        case "skipped":
          out.write(`  ${color.dim("○")} ${e.taskId.padEnd(40)} ${color.dim(`skipped: ${e.reason}`)}\n`);
          break;
      }
    },
    stop: stopBar,
  };
}
