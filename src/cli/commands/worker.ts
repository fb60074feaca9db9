// `millrace worker [project]`: runs the tasks pipelines queued (execution.executor: bullmq), until stopped.
import type { Command } from "commander";
import { loadProject } from "../../project/load-project.js";
import { color } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { positiveInt } from "../option-parsers.js";

export function workerCommands(program: Command, action: ActionWrapper): void {
  program
    .command("worker")
    .argument("[project]", "project folder", ".")
    .description("run queued pipeline tasks from Redis (BullMQ): ingest, transform, train, register…; run as many as you like, on any machine sharing the stores")
    .option("-c, --concurrency <n>", "jobs at once (each in its own process)", positiveInt, 1)
    .option("--json", "print events as JSON lines")
    .action(
      action(async (dir: string, opts: { concurrency: number; json?: boolean }) => {
        const project = loadProject(dir);
        const { queueSettings, startWorker } = await import("../../flow/bullmq-executor.js");
        const settings = queueSettings(project);
        // Read by the sandboxed children: tasks run on this worker's project folder, wherever the pipeline's is.
        process.env.MILLRACE_WORKER_PROJECT = project.dir;
        const say = (event: Record<string, unknown>) =>
          opts.json
            ? process.stdout.write(JSON.stringify({ at: new Date().toISOString(), ...event }) + "\n")
            : process.stderr.write(`${color.dim(new Date().toISOString().slice(11, 19))} ${Object.values(event).join(" ")}\n`);
        const worker = await startWorker(settings, {
          concurrency: opts.concurrency,
          onEvent: (e) => say({ type: e.type, job: e.job, ...(e.detail ? { detail: e.detail } : {}) }),
        });
        say({ type: "ready", worker: worker.id, queue: settings.queue, redis: settings.redisUrl.replace(/\/\/[^@]*@/, "//***@") });
        await new Promise<void>((resolve) => {
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        say({ type: "stopping", worker: worker.id, detail: "finishing running jobs" });
        await worker.close();
        return 0;
      }),
    );
}
