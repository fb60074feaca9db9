// Benchmark-side CSV reader: a whole CSV into a Millrace Frame (numeric columns as Float64Array, the rest as text),
// typed the way pandas.read_csv types them, so ours and the peers see the same columns.
import { readFileSync } from "node:fs";

const MISSING = new Set(["", "NA", "NaN", "nan", "null", "NULL", "N/A"]);

function splitLine(line) {
  if (!line.includes('"')) return line.split(",");
  const out = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') (field += '"'), i++;
        else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") out.push(field), (field = "");
    else field += ch;
  }
  out.push(field);
  return out;
}

/** Reads `path`; `drop` lists columns to leave out. Quoted fields never span lines in these data sets. */
export function readCsvFrame(path, drop = []) {
  const text = readFileSync(path, "utf8");
  const lines = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.length) lines.push(line);
    start = end + 1;
  }
  const header = splitLine(lines[0]);
  const n = lines.length - 1;
  const keep = header.map((h) => !drop.includes(h));
  const numeric = header.map(() => true);
  const cells = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = splitLine(lines[i + 1]);
    cells[i] = f;
    for (let j = 0; j < header.length; j++) {
      if (!numeric[j]) continue;
      const v = f[j] ?? "";
      if (!MISSING.has(v) && !Number.isFinite(Number(v))) numeric[j] = false;
    }
  }
  const columns = [];
  for (let j = 0; j < header.length; j++) {
    if (!keep[j]) continue;
    if (numeric[j]) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = cells[i][j] ?? "";
        values[i] = MISSING.has(v) ? NaN : Number(v);
      }
      columns.push({ name: header[j], kind: "numeric", values });
    } else {
      const intern = new Map();
      const values = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = cells[i][j] ?? "";
        if (MISSING.has(v)) values[i] = null;
        else {
          let s = intern.get(v);
          if (s === undefined) intern.set(v, (s = v));
          values[i] = s;
        }
      }
      columns.push({ name: header[j], kind: "categorical", values });
    }
  }
  return { rowCount: n, columns };
}

/** Numeric columns named in `names` as text categories (ids are labels), as peer_baselines.py --cat does. */
export function asCategorical(frame, names) {
  if (!names.length) return frame;
  const columns = frame.columns.map((c) =>
    names.includes(c.name) && c.kind === "numeric"
      ? { name: c.name, kind: "categorical", values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : String(v))) }
      : c,
  );
  return { rowCount: frame.rowCount, columns };
}
