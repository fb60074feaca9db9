// KServe V2 column tensors → records: shared by the V2 route (serve) and the readers of logged V2 requests (monitor),
// which log the body as received ({"inputs":[{name, shape, datatype, data}, …]}).

/** Records from named columns of `rows` values each: record i holds names[k] → cols[k][i] (plain assignment). */
export function recordsFromColumns(names: readonly string[], cols: readonly (readonly unknown[])[], rows: number): Record<string, unknown>[] {
  const records = new Array<Record<string, unknown>>(rows);
  for (let i = 0; i < rows; i++) {
    const r: Record<string, unknown> = {};
    for (let k = 0; k < names.length; k++) r[names[k]] = cols[k][i];
    records[i] = r;
  }
  return records;
}

/**
 * The records of a logged V2 request's `inputs` (tensors of shape [n] or [n, 1], one value per record), as the V2
 * route scored them; null when they are not such tensors (the reader counts the line as not a prediction line).
 * A nullable field the client sent no tensor for is absent from every record, as in a /predict record without it.
 */
export function recordsFromTensors(inputs: unknown): Record<string, unknown>[] | null {
  if (!Array.isArray(inputs) || inputs.length === 0) return null;
  let rows = -1;
  const names: string[] = [];
  const cols: unknown[][] = [];
  for (const t of inputs as unknown[]) {
    if (t === null || typeof t !== "object" || Array.isArray(t)) return null;
    const { name, data } = t as { name?: unknown; data?: unknown };
    if (typeof name !== "string" || !Array.isArray(data)) return null;
    const flat = data.length > 0 && Array.isArray(data[0]) ? (data as unknown[][]).flat() : (data as unknown[]);
    if (rows >= 0 && flat.length !== rows) return null;
    rows = flat.length;
    names.push(name);
    cols.push(flat);
  }
  return recordsFromColumns(names, cols, rows);
}

/** The records of a logged request body: `{"records": […]}` (/predict) or `{"inputs": [tensors]}` (KServe V2). */
export function loggedRecords(request: unknown): unknown[] | null {
  if (request === null || typeof request !== "object") return null;
  const { records, inputs } = request as { records?: unknown; inputs?: unknown };
  if (Array.isArray(records)) return records;
  return inputs !== undefined ? recordsFromTensors(inputs) : null;
}
