// Sends each served prediction to several sinks (the prediction log and the feedback joiner), isolating their failures.
import type { Prediction } from "../records.js";
import type { LoggedRequest } from "./prediction-log.js";

export interface Sink {
  log(p: Prediction): void;
  logRequest?(r: LoggedRequest): void;
  dropped?(): number;
}

/** One sink that forwards to all; drops are the sum of theirs. A throwing sink never stops the others. */
export function fanOut(...sinks: Sink[]): Sink {
  return {
    log(p: Prediction): void {
      for (const s of sinks) {
        try {
          s.log(p);
        } catch {
          // Sinks must not throw; if one does, the others still get the prediction.
        }
      }
    },
    logRequest(r: LoggedRequest): void {
      for (const s of sinks) {
        try {
          if (s.logRequest) s.logRequest(r);
          else for (let i = 0; i < r.ids.length; i++) s.log({ id: r.ids[i], model: r.model, version: r.version, alias: r.alias, inputs: r.records[i], output: r.outputs[i], latencyMs: r.latencyMs, at: r.at });
        } catch {
          // as in log()
        }
      }
    },
    dropped: () => sinks.reduce((n, s) => n + (s.dropped?.() ?? 0), 0),
  };
}
