// Input columns batch prediction copies into its output (`--keep`), in the input's own types: a number stays a number
// in JSON lines and Parquet, a boolean a boolean (a CSV's true/false too). One append function per column, by type.
import { DuckDBTypeId, type DuckDBAppender, type DuckDBDateValue, type DuckDBTimestampValue, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";
import { ident } from "../lake/sql.js";

export type AppendKept = (appender: DuckDBAppender, value: DuckDBValue) => void;

/** The common scalar types through their own calls; any other (decimals, intervals, nested…) through appendValue. */
const DIRECT: Partial<Record<DuckDBTypeId, AppendKept>> = {
  [DuckDBTypeId.VARCHAR]: (a, v) => a.appendVarchar(v as string),
  [DuckDBTypeId.BIGINT]: (a, v) => a.appendBigInt(v as bigint),
  [DuckDBTypeId.INTEGER]: (a, v) => a.appendInteger(v as number),
  [DuckDBTypeId.DOUBLE]: (a, v) => a.appendDouble(v as number),
  [DuckDBTypeId.FLOAT]: (a, v) => a.appendFloat(v as number),
  [DuckDBTypeId.BOOLEAN]: (a, v) => a.appendBoolean(v as boolean),
  [DuckDBTypeId.DATE]: (a, v) => a.appendDate(v as DuckDBDateValue),
  [DuckDBTypeId.TIMESTAMP]: (a, v) => a.appendTimestamp(v as DuckDBTimestampValue),
};

/** The append function of each kept column (by its type as the input stream reads it); nulls as nulls. */
export function keptAppenders(types: readonly DuckDBType[]): AppendKept[] {
  return types.map((type) => {
    const append = DIRECT[type.typeId] ?? ((a: DuckDBAppender, v: DuckDBValue) => a.appendValue(v, type));
    return (a, v) => (v === null ? a.appendNull() : append(a, v));
  });
}

/** Whether a column of this SQL type can hold NaN or ±Infinity, which JSON cannot (predict-output.ts writes null). */
export const isFloatingType = (sqlType: string): boolean => /^(DOUBLE|FLOAT|REAL|FLOAT4|FLOAT8)$/i.test(sqlType);

/** Aggregates over the input, one per kept text column of a CSV, true when the column holds only `true` and `false`. */
export interface BooleanProbes {
  columns: string[];
  sql: string[];
}

/**
 * The CSV reader keeps true/false as text (a "Yes"/"No" label must stay text: lake/csv-dialect.ts); a kept column of
 * nothing but `true` and `false` (as JSON spells them, so CSV output is unchanged) is written as booleans.
 */
export function booleanTextProbes(keep: readonly string[], inputTypes: ReadonlyMap<string, string>, csv: boolean): BooleanProbes {
  const columns = csv ? keep.filter((k) => inputTypes.get(k) === "VARCHAR") : [];
  return { columns, sql: columns.map((k, i) => `bool_and(${ident(k)} IN ('true', 'false')) AS _bool${i}`) };
}

/** The SQL type of each kept column: the input's, or BOOLEAN for a probed column holding only true/false. */
export function keptColumnTypes(keep: readonly string[], inputTypes: ReadonlyMap<string, string>, probes: BooleanProbes, answers: Record<string, unknown>): string[] {
  return keep.map((k) => {
    const at = probes.columns.indexOf(k);
    return at >= 0 && answers[`_bool${at}`] === true ? "BOOLEAN" : inputTypes.get(k)!;
  });
}
