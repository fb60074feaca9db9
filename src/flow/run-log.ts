// Per-task run logs: every task event of a run (attempts, progress, retries, notes, errors) as a line in the
// metadata store, batched, so `millrace pipeline logs RUN [TASK]` and the dashboard read them during and after it.
import type { OrchestrationStore } from "../store/orchestration.js";
import type { TaskEvent } from "./dag.js";

/** One line per event; progress at most every 2 s per task (and its last report). */
export function logLine(e: TaskEvent): string | null {
  switch (e.type) {
    case "start":
      return `attempt ${e.attempt} started`;
    case "progress":
      return `progress ${e.done}/${e.total}${e.note ? ` ${e.note}` : ""}`;
    case "retry":
      return `attempt ${e.attempt} failed: ${e.error}; retrying in ${Math.round(e.delayMs)} ms`;
    case "succeeded":
      return `succeeded in ${Math.round(e.ms)} ms${e.note ? `: ${e.note}` : ""}`;
    case "failed":
      return `${e.cancelled ? "cancelled" : e.timedOut ? "timed out" : "failed"} after ${Math.round(e.ms)} ms: ${e.error}`;
    case "skipped":
      return `skipped: ${e.reason}`;
  }
}

export class RunLogWriter {
  private buffer: { taskId: string; at: string; line: string }[] = [];
  private lastProgress = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: OrchestrationStore,
    private readonly runId: string,
    private readonly flushMs = 500,
  ) {}

  onEvent(e: TaskEvent): void {
    if (e.type === "progress") {
      const last = this.lastProgress.get(e.taskId) ?? 0;
      if (Date.now() - last < 2000 && e.done < e.total) return;
      this.lastProgress.set(e.taskId, Date.now());
    }
    const line = logLine(e);
    if (line !== null) this.add(e.taskId, line);
  }

  add(taskId: string, line: string): void {
    this.buffer.push({ taskId, at: new Date().toISOString(), line });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs);
  }

  /** Writes what is buffered; a store error is reported once on stderr and the lines dropped (logs never fail a run). */
  flush(): Promise<void> {
    const lines = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() =>
      this.store.appendLogs(this.runId, lines).catch((e: unknown) => {
        process.stderr.write(`millrace: could not keep ${lines.length} log line(s) of run ${this.runId.slice(0, 8)}: ${String(e)}\n`);
      }),
    );
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
