// The resources a pipeline runs on, chosen by configuration and injected into every step (Dagster's idea).
import { ConfigError } from "../errors.js";
import type { Lake } from "../lake/lake.js";
import type { ResourceKinds, TrainingExecutor } from "./needs.js";
import type { Project } from "../project/load-project.js";
import { Registry } from "../registry/registry.js";
import { FolderArtifactStore, type ArtifactStore } from "../store/artifact-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { LazyArtifactStore } from "../store/lazy-artifact-store.js";
import { Tracker } from "../track/tracker.js";

/** Every resource, opened: what a command holds; steps receive only the part they declare (needs.ts). */
export interface Resources extends ResourceKinds {
  close(): Promise<void>;
}

export function executorOf(project: Project): "local" | "bullmq" {
  const kind = process.env.MILLRACE_EXECUTOR ?? project.config.execution.executor;
  if (kind !== "local" && kind !== "bullmq") throw new ConfigError(`MILLRACE_EXECUTOR=${kind}: use local or bullmq`);
  return kind;
}

/** `s3://bucket/prefix` (endpoint from MILLRACE_S3_ENDPOINT / AWS_ENDPOINT_URL) or a local folder. */
// The S3 client (like BullMQ in task-queue.ts) loads only when a project uses it: it would add ~0.2 s to every command's start.
export function openArtifactStore(location: string): ArtifactStore {
  if (!location.startsWith("s3://")) return new FolderArtifactStore(location);
  return new LazyArtifactStore(async () => new (await import("../store/s3-artifact-store.js")).S3ArtifactStore({ url: location }));
}

/**
 * An executor whose module is imported when the first candidate is trained: the local executor's learners (train step, search, every model: 60+ modules that `millrace runs` or `models` never use).
 */
function lazyExecutor(kind: TrainingExecutor["kind"], load: () => Promise<TrainingExecutor>): TrainingExecutor {
  let opened: Promise<TrainingExecutor> | undefined;
  const open = () => (opened ??= load());
  return {
    kind,
    train: async (...args) => (await open()).train(...args),
    close: async () => {
      if (opened) await (await opened).close();
    },
  };
}

/** The lake, its module (and DuckDB's native addon, ~0.3 s of CPU) loaded only by commands that read tables. */
export async function openLake(location: string): Promise<Lake> {
  return (await import("../lake/lake.js")).Lake.open(location);
}

/** `executor`: where candidates train (default: in this process; a worker passes one that tags its runs). */
export async function openResources(project: Project, opts: { lake?: boolean; executor?: TrainingExecutor } = {}): Promise<Resources> {
  const meta = await openMetadataStore(project.paths.metadata);
  const artifacts = openArtifactStore(project.paths.artifacts);
  let lake: Lake | undefined;
  try {
    lake = opts.lake === false ? undefined : await openLake(project.paths.lake);
  } catch (e) {
    await meta.close();
    throw e;
  }
  // With execution.executor: bullmq the train task itself runs on a worker (task-queue.ts), which trains in its process.
  let executor: TrainingExecutor | undefined = opts.executor;
  return {
    project,
    get executor(): TrainingExecutor {
      executor ??= lazyExecutor("local", () => import("./executor.js").then((m) => m.localExecutor));
      return executor;
    },
    get lake(): Lake {
      if (!lake) throw new Error("this command opened no lake");
      return lake;
    },
    meta,
    artifacts,
    tracker: new Tracker(meta, artifacts),
    registry: new Registry(meta, artifacts),
    async close() {
      await executor?.close();
      await lake?.close();
      await meta.close();
    },
  };
}

/** Opens the resources, runs `body`, and always closes them. */
export async function withResources<T>(project: Project, body: (r: Resources) => Promise<T>, opts: { lake?: boolean; executor?: TrainingExecutor } = {}): Promise<T> {
  const r = await openResources(project, opts);
  try {
    return await body(r);
  } finally {
    await r.close();
  }
}
