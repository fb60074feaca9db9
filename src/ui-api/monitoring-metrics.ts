// Reading the serving process's own Prometheus exposition (GET /metrics) for the monitoring page: samples parsed from
// the text format, latency percentiles from histogram buckets as histogram_quantile() computes them, and rates from
// the difference of two scrapes. No number is made up: what the server did not count is absent.

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a text exposition (comments and blank lines skipped; label values unescaped). */
export function parseExposition(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const brace = line.indexOf("{");
    const space = brace < 0 ? line.indexOf(" ") : line.indexOf(" ", line.lastIndexOf("}"));
    if (space < 0) continue;
    const name = brace < 0 ? line.slice(0, space) : line.slice(0, brace);
    const labels: Record<string, string> = {};
    if (brace >= 0) {
      const body = line.slice(brace + 1, line.lastIndexOf("}"));
      const re = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      for (let m = re.exec(body); m; m = re.exec(body)) labels[m[1]] = m[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const value = Number(line.slice(space + 1).trim().split(" ")[0]);
    if (!Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

/** Cumulative bucket counts by upper bound (le), summed over the samples that `keep` accepts. */
export function bucketsOf(samples: PromSample[], name: string, keep: (labels: Record<string, string>) => boolean = () => true): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !keep(s.labels)) continue;
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/** Bucket counts of `now` minus those of `before` (a window between two scrapes). */
export function bucketDelta(now: Map<number, number>, before: Map<number, number> | undefined): Map<number, number> {
  if (!before) return now;
  const out = new Map<number, number>();
  for (const [le, v] of now) out.set(le, Math.max(0, v - (before.get(le) ?? 0)));
  return out;
}

/**
 * The q-quantile of cumulative buckets, interpolated linearly inside its bucket (Prometheus' histogram_quantile);
 * null without observations. A quantile in the +Inf bucket is the largest finite bound (all it can say).
 */
export function quantile(q: number, buckets: Map<number, number>): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (bounds.length ? buckets.get(bounds[bounds.length - 1])! : 0);
  if (!total) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const le of bounds) {
    const count = buckets.get(le)!;
    if (count >= rank) {
      if (le === Infinity) return prevBound;
      if (count === prevCount) return le;
      return prevBound + ((le - prevBound) * (rank - prevCount)) / (count - prevCount);
    }
    prevBound = le;
    prevCount = count;
  }
  return prevBound;
}

/** Sum of the samples named `name` whose labels `keep` accepts. */
export function total(samples: PromSample[], name: string, keep: (labels: Record<string, string>) => boolean = () => true): number {
  let s = 0;
  for (const x of samples) if (x.name === name && keep(x.labels)) s += x.value;
  return s;
}

/** Routes that are not traffic: the dashboard and its API (this page's own polling), /metrics scrapes and probes. */
const NOT_TRAFFIC = /^\/(api|ui)(\/|$)|^\/(metrics|health|ready|)$/;

/** The request counts of a scrape that a window compares (traffic routes only): all, 5xx answers, 4xx answers. */
export function requestCounts(samples: PromSample[]): { requests: number; errors: number; clientErrors: number } {
  const name = "millrace_http_requests_total";
  const traffic = (l: Record<string, string>) => !NOT_TRAFFIC.test(l.route ?? "");
  return {
    requests: total(samples, name, traffic),
    errors: total(samples, name, (l) => traffic(l) && (l.status?.startsWith("5") ?? false)),
    clientErrors: total(samples, name, (l) => traffic(l) && (l.status?.startsWith("4") ?? false)),
  };
}
