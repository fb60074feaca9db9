// Durations written in millrace.yaml ("90s", "15m", "1h", "2d"): the one list of units, parsed to milliseconds.
import { ConfigError } from "../../errors.js";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/;

/** Milliseconds of a duration like "1h"; `field` names the setting in the error. */
export function parseDuration(text: string, field: string): number {
  const m = DURATION.exec(text.trim());
  const unit = m ? UNITS[m[2]] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new ConfigError(`${field}: "${text}" is not a duration`, { path: field, hint: `write a number and a unit (${Object.keys(UNITS).join(", ")}), e.g. "1h"` });
  }
  return Number(m[1]) * unit;
}
