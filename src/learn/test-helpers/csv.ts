// A small CSV reader for tests and benchmarks: quoted fields, empty = missing, all-numeric columns become numeric.

import { readFileSync } from "node:fs";
import type { Column, Frame } from "../../records.js";

export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let field = "";
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') (field += '"'), i++;
        else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") (row.push(field), (field = ""));
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== "" || row.length > 0) (row.push(field), rows.push(row));
  return { header: rows[0], rows: rows.slice(1) };
}

/** Reads a CSV into a Frame; `text` lists columns to keep as text even when they look numeric. */
export function readCsvFrame(path: string, text: string[] = []): Frame {
  const { header, rows } = parseCsv(readFileSync(path, "utf8"));
  const columns = header.map((name, j): Column => {
    const raw = rows.map((r) => r[j] ?? "");
    const numeric = !text.includes(name) && raw.every((v) => v === "" || v === "NA" || Number.isFinite(Number(v)));
    if (numeric) return { name, kind: "numeric", values: Float64Array.from(raw, (v) => (v === "" || v === "NA" ? NaN : Number(v))) };
    return { name, kind: "categorical", values: raw.map((v) => (v === "" || v === "NA" ? null : v)) };
  });
  return { rowCount: rows.length, columns };
}
