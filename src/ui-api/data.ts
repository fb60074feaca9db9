// The stores the dashboard API reads, opened on first use and kept for the server's life: the metadata store at
// the first request, the lake (a DuckDB instance) only when a page asks for tables, lineage details or drift.
import { openResources, type Resources } from "../flow/resources.js";
import { Lake } from "../lake/lake.js";
import type { Project } from "../project/load-project.js";

export class UiData {
  private resources: Promise<Resources> | null = null;
  private lakeOpen: Promise<Lake> | null = null;
  private closed = false;

  constructor(readonly project: Project) {}

  /** Metadata store, registry and artifact store (no lake). */
  meta(): Promise<Resources> {
    this.assertOpen();
    return (this.resources ??= openResources(this.project, { lake: false }).catch((e: unknown) => {
      this.resources = null; // a store that was down at the first request may be up at the next
      throw e;
    }));
  }

  lake(): Promise<Lake> {
    this.assertOpen();
    return (this.lakeOpen ??= Lake.open(this.project.paths.lake).catch((e: unknown) => {
      this.lakeOpen = null;
      throw e;
    }));
  }

  /** The resources with the lake attached, for the flow helpers that read both (training rows of a dataset). */
  async withLake(): Promise<Resources> {
    const [r, lake] = await Promise.all([this.meta(), this.lake()]);
    return {
      project: r.project,
      lake,
      meta: r.meta,
      artifacts: r.artifacts,
      tracker: r.tracker,
      registry: r.registry,
      get executor(): never {
        throw new Error("the dashboard trains nothing");
      },
      close: () => Promise.resolve(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const [r, lake] = [this.resources, this.lakeOpen];
    this.resources = this.lakeOpen = null;
    await Promise.all([r?.then((x) => x.close(), () => undefined), lake?.then((x) => x.close(), () => undefined)]);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the dashboard API is closed");
  }
}
