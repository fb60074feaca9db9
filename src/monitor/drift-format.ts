// Renders a DriftReport as the plain-text table `millrace drift` prints: one row per column, test, score, threshold, verdict.
import { driftRule, type DriftReport } from "./drift-report.js";

function fmt(x: number | null): string {
  if (x === null) return "—";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e4 ? x.toFixed(4) : x.toExponential(2);
}


/** A fixed-width table followed by the dataset verdict; no colours, so it reads the same in a log file. */
export function formatDriftReport(r: DriftReport): string {
  const head = ["column", "kind", "test", "score", "drift if", "PSI", "verdict", "missing ref/cur"];
  const rows = r.columns.map((c) => [
    c.column,
    c.kind,
    c.method,
    fmt(c.score),
    driftRule(c),
    c.psi === null ? "—" : `${fmt(c.psi)} ${c.psiBand}`,
    c.note ? "no data" : c.drifted ? "DRIFT" : "ok",
    `${c.referenceMissing}/${c.currentMissing}`,
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j].length)));
  const line = (cells: string[]) => cells.map((s, j) => s.padEnd(widths[j])).join("  ").trimEnd();
  const verdict = `${r.driftedColumns} of ${r.columns.length} columns drifted (${(r.driftShare * 100).toFixed(0)}%; dataset drift at ≥ ${(r.datasetShare * 100).toFixed(0)}%): ${r.datasetDrift ? "DATASET DRIFT" : "no dataset drift"}`;
  return [`reference ${r.referenceRows} rows, current ${r.currentRows} rows`, line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), verdict].join("\n");
}
