// A task kind is one value: its name, the resources it needs, the typed output its tasks hand downstream, how it
// plans its tasks from a project, and its own part of the run summary. The pipeline knows kinds only through this.
import type { PartitionSlice } from "../lake/partition-replace.js";
import type { Project } from "../project/load-project.js";
import type { SqlModel } from "../lake/sql-models.js";
import type { Task } from "./dag.js";
import { only, type Needs, type ResourceKinds, type ResourceName } from "./needs.js";
import type { TableOutput } from "./outputs.js";
import type { PipelineSummary } from "./summary.js";
import type { OutputWire } from "./wire.js";

/** A handle on a task that carries the type of its output, so a dependent reads it typed. */
export interface TaskRef<Out> {
  readonly id: string;
  /** Phantom: never set, it only carries `Out` (covariantly: a TaskRef<T> is a TaskRef<unknown>). */
  readonly output?: () => Out;
}

export function ref<Out>(id: string): TaskRef<Out> {
  return { id };
}

export interface KindInput<K extends ResourceName> {
  /** The project and the resources the kind declared, nothing else. */
  r: Needs<K>;
  /** The output of a task this one depends on. */
  output<T>(of: TaskRef<T>): T;
  attempt: number;
  /** Aborted when the attempt times out or the run is cancelled. */
  signal: AbortSignal;
  progress(done: number, total: number, note?: string): void;
  note(text: string): void;
}

/** How a pipeline's tasks are planned: what every kind can see while adding its tasks. */
export interface PlanContext {
  project: Project;
  /** The project's SQL models, in build order. */
  models: SqlModel[];
  /** The task that writes each table (filled from every kind's `produces` before any task is planned). */
  producers: ReadonlyMap<string, TaskRef<TableOutput>>;
  /** Tasks planned so far, by kind name. */
  planned(kind: string): PipelineTask[];
  /** Train even when the dataset is unchanged (an alert's retrain, `run --retrain`). */
  retrain: boolean;
  /** A partition's run: the landing files of that partition only. */
  files?: (file: string) => boolean;
  /** A partition's run by column: table models with the column replace only this partition's rows. */
  partitionRows?: PartitionSlice;
}

export interface TaskKind<Out = unknown, K extends ResourceName = ResourceName> {
  readonly name: string;
  /** One line for `--help` and the dashboard. */
  readonly description: string;
  readonly needs: readonly K[];
  /** Planned only in a pipeline that names the kind in its tasks, never in the default (whole) DAG. */
  readonly optIn?: boolean;
  /** The tables this kind's tasks write: table → task id. */
  produces?(ctx: Omit<PlanContext, "producers" | "planned">): [table: string, taskId: string][];
  /** The tasks of this kind in the project's full DAG (dependencies on earlier kinds' tasks by ref). */
  plan(ctx: PlanContext): PipelineTask<Out>[];
  /** Adds this task's part of the run summary. */
  summarize(out: Out, summary: PipelineSummary): void;
  /** What a failed task adds (the check report of a table that failed its checks). */
  summarizeFailure?(error: unknown, summary: PipelineSummary): void;
  /**
   * A task that stands in for one of this kind when a pipeline does not select it but a selected task depends on
   * it (the current table version instead of a new one). Without it, such a selection is an error.
   */
  standIn?(task: PipelineTask<Out>): PipelineTask<Out>;
  /**
   * How the output goes to and from a worker process (execution.executor: bullmq) when JSON of the whole value will
   * not do: a reference (a dataset id, an artifact) rebuilt from the shared stores. Default: the value as JSON.
   */
  readonly wire?: OutputWire<Out>;
}

/** One task of a pipeline: a DAG task that knows its kind. */
export interface PipelineTask<Out = unknown> extends Task<ResourceKinds> {
  readonly kind: TaskKind<Out, ResourceName>;
  readonly ref: TaskRef<Out>;
}

/** A task of `kind`: `run` gets only the kind's resources and typed access to the outputs of `deps`. */
export function taskOf<Out, K extends ResourceName>(
  kind: TaskKind<Out, K>,
  id: string,
  deps: readonly TaskRef<unknown>[],
  run: (input: KindInput<K>) => Promise<Out>,
): PipelineTask<Out> {
  const depIds = [...new Set(deps.map((d) => d.id))];
  return {
    id,
    deps: depIds,
    kind: kind as unknown as TaskKind<Out, ResourceName>,
    ref: ref<Out>(id),
    run: ({ ctx, upstream, attempt, signal, progress, note }) =>
      run({
        r: only(ctx, kind.needs),
        output: <T>(of: TaskRef<T>): T => {
          if (!upstream.has(of.id)) throw new Error(`task ${id} reads the output of ${of.id}, which is not one of its dependencies`);
          return upstream.get(of.id) as T;
        },
        attempt,
        signal,
        progress,
        note,
      }),
  };
}
