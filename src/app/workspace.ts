// One Workspace per process: the project with its metadata store, artifact store, registry, tracker and lake, each
// opened on first use and only once, and closed once. A CLI command, the serving process (its routes, dashboard API
// and monitor) and a pipeline run all take their stores from here instead of opening their own.
import { openLake, openResources, type Resources } from "../flow/resources.js";
import type { Lake } from "../lake/lake.js";
import type { Project } from "../project/load-project.js";

/** The stores without the lake: what most registry and tracking operations need. */
export type WorkspaceStores = Omit<Resources, "lake" | "close">;

/** The alias the project serves (serve.alias, else registry.alias). */
export function servingAlias(project: Project): string {
  return project.config.serve.alias ?? project.config.registry.alias;
}

export class Workspace {
  private stores: Promise<Resources> | null = null;
  private lakeOpen: Promise<Lake> | null = null;
  private closing: Promise<void> | null = null;

  constructor(readonly project: Project) {}

  /** Opens a workspace, runs `body`, and always closes what it opened: one CLI command. */
  static async use<T>(project: Project, body: (ws: Workspace) => Promise<T>): Promise<T> {
    const ws = new Workspace(project);
    try {
      return await body(ws);
    } finally {
      await ws.close();
    }
  }

  /** `use` for a command that needs only the stores (no lake). */
  static useStores<T>(project: Project, body: (r: WorkspaceStores) => Promise<T>): Promise<T> {
    return Workspace.use(project, async (ws) => body(await ws.meta()));
  }

  /** Metadata store, artifact store, registry, tracker (and the executor, opened on first use); no lake. */
  meta(): Promise<WorkspaceStores> {
    this.assertOpen();
    return (this.stores ??= openResources(this.project, { lake: false }).catch((e: unknown) => {
      this.stores = null; // a store that was down at the first call may be up at the next
      throw e;
    }));
  }

  /** The lake (a DuckDB instance), opened only when something reads or writes tables. */
  lake(): Promise<Lake> {
    this.assertOpen();
    return (this.lakeOpen ??= openLake(this.project.paths.lake).catch((e: unknown) => {
      this.lakeOpen = null;
      throw e;
    }));
  }

  /** Every store with the lake: what a pipeline run or a read of a dataset's rows takes. Closed with the workspace. */
  async withLake(): Promise<Resources> {
    const [r, lake] = await Promise.all([this.meta(), this.lake()]);
    return {
      project: r.project,
      lake,
      meta: r.meta,
      artifacts: r.artifacts,
      tracker: r.tracker,
      registry: r.registry,
      get executor() {
        return r.executor;
      },
      // The workspace owns these: a caller that closes the bag must not close them under the rest of the process.
      close: () => Promise.resolve(),
    };
  }

  /** Closes what was opened (the executor too, if a run opened one); a second call waits for the first. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      const [stores, lake] = [this.stores, this.lakeOpen];
      this.stores = this.lakeOpen = null;
      const results = await Promise.allSettled([stores?.then((r) => r.close(), () => undefined), lake?.then((l) => l.close(), () => undefined)]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    })());
  }

  private assertOpen(): void {
    if (this.closing) throw new Error("this workspace is closed");
  }
}
