// Drift checks of served model versions: logged traffic vs the training reference, published as metrics and fed to alerts.
import type { Registry } from "prom-client";
import type { Frame, Signature } from "../records.js";
import type { AlertManager, Alert } from "./alerts.js";
import { driftReport, type DriftOptions, type DriftReport } from "./drift-report.js";
import { readLoggedFrame } from "./log-reader.js";
import { publishDrift } from "./metrics.js";

export interface DriftTarget {
  model: string;
  version: number;
  /** The training data (or a sample of it) the model learned from. */
  reference: Frame;
  signature?: Signature;
}

export interface DriftCheckOptions extends DriftTarget {
  /** The prediction log's folder. */
  root: string;
  drift?: DriftOptions;
  since?: string;
  /** Compare only the latest `limit` logged predictions. */
  limit?: number;
  /** Fewer logged rows than this → no verdict yet; default 30. */
  minRows?: number;
}

export interface DriftCheck {
  report: DriftReport | null;
  rows: number;
  reason?: string;
}

/** Logged inputs of a model version against its reference, over the signature's inputs present in the reference. */
export async function checkDrift(o: DriftCheckOptions): Promise<DriftCheck> {
  const current = await readLoggedFrame(o.root, o.model, o.version, { signature: o.signature, like: o.reference, since: o.since, limit: o.limit });
  if (current.rowCount < (o.minRows ?? 30)) {
    return { report: null, rows: current.rowCount, reason: `only ${current.rowCount} logged predictions for ${o.model}@${o.version}; need ${o.minRows ?? 30}` };
  }
  const refNames = new Set(o.reference.columns.map((c) => c.name));
  const columns = o.drift?.columns ?? (o.signature ? o.signature.inputs.map((f) => f.name).filter((n) => refNames.has(n)) : undefined);
  return { report: driftReport(o.reference, current, { ...o.drift, columns }), rows: current.rowCount };
}

export interface DriftMonitorOptions {
  root: string;
  targets: () => DriftTarget[];
  everyMs?: number;
  drift?: DriftOptions;
  limit?: number;
  minRows?: number;
  registry?: Registry;
  alerts?: AlertManager;
  onError?: (e: unknown) => void;
}

/** Runs checkDrift for every target on a timer, publishing gauges and evaluating alert rules. */
export class DriftMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Alert[]> | null = null;

  constructor(private readonly opts: DriftMonitorOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce().catch((e: unknown) => this.opts.onError?.(e)), this.opts.everyMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over the targets; overlapping calls share the pass in progress. */
  runOnce(): Promise<Alert[]> {
    if (!this.running) this.running = this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<Alert[]> {
    const fired: Alert[] = [];
    for (const t of this.opts.targets()) {
      const { report } = await checkDrift({ ...t, root: this.opts.root, drift: this.opts.drift, limit: this.opts.limit, minRows: this.opts.minRows });
      if (!report) continue;
      if (this.opts.registry) publishDrift(this.opts.registry, t.model, t.version, report);
      if (this.opts.alerts) fired.push(...(await this.opts.alerts.evaluate({ kind: "drift", model: t.model, version: t.version, report })));
    }
    return fired;
  }
}
