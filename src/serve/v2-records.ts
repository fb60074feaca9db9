// Records from V2 column tensors, built by generated code: one object literal per record with the tensor names as
// literal keys (all records share one hidden class), 6× less CPU than assigning each field by a computed key.

import type { FieldSpec } from "../records.js";

type Builder = (cols: unknown[][], i: number) => Record<string, unknown>;

const MAX_BUILDERS = 16;
/** Per signature's field list: builders by tensor names in request order (clients keep one order; a few differ). */
const builders = new WeakMap<ReadonlyArray<FieldSpec>, Map<string, Builder>>();

/**
 * The builder of records with these names in this order; null (build them generically) when a name is not a field of
 * the signature (the validator then names it) or is "__proto__", whose plain assignment the generic loop keeps.
 */
export function recordBuilder(names: readonly string[], fields: ReadonlyArray<FieldSpec>): Builder | null {
  let byNames = builders.get(fields);
  if (!byNames) builders.set(fields, (byNames = new Map()));
  const key = JSON.stringify(names);
  const known = byNames.get(key);
  if (known) return known;
  if (names.some((n) => n === "__proto__" || !fields.some((f) => f.name === n))) return null;
  // Names enter the code only through JSON.stringify. Bounded: a client cycling through orders recompiles, never grows it.
  const build = new Function("cols", "i", `return { ${names.map((n, k) => `${JSON.stringify(n)}: cols[${k}][i]`).join(", ")} };`) as Builder;
  if (byNames.size >= MAX_BUILDERS) byNames.clear();
  byNames.set(key, build);
  return build;
}
