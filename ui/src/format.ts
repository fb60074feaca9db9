// How numbers, times, durations and ids read on every page.

export function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e9)) return v.toExponential(2);
  return v.toFixed(a >= 1000 ? 1 : digits);
}

export function fmtInt(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US");
}

export function fmtPct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? "–" : `${(v * 100).toFixed(digits)}%`;
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "3 min ago" for recent times, else the date; the exact UTC time goes in a title. */
export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "–";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return fmtTime(iso);
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)} d ago`;
  return fmtTime(iso);
}

export function fmtTime(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 19).replace("T", " ") : "–";
}

export const shortId = (id: string) => id.slice(0, 8);

/** The metric's base name for grouping: cv_roc_auc_mean → roc_auc. */
export function baseMetric(key: string): string {
  return key.replace(/^cv_/, "").replace(/_(mean|std)$/, "");
}

/** A bound as a person writes it: 17.53, 8684.8, 72 (six significant digits at most, no padding zeros). */
export function fmtBound(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "…";
  return Number(v.toPrecision(6)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}
