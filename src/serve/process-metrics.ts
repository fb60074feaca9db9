// A Prometheus registry that also reports the serving process itself (CPU, resident memory, heap, event-loop lag, GC),
// so a dashboard can tell a slow model from a starved or leaking process.
import { collectDefaultMetrics, Registry } from "prom-client";

/** prom-client's default Node.js metrics, unprefixed: the names every Node dashboard and alert already knows. */
export class ProcessMetricsRegistry extends Registry {
  constructor() {
    super();
    // 10 ms sampling of the event-loop delay: fine enough to see a 20 ms stall from a large batch, cheap enough to leave on.
    collectDefaultMetrics({ register: this, eventLoopMonitoringPrecision: 10 });
  }
}

