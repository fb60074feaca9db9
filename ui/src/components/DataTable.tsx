// A table whose columns sort on click (client side, or reported to the page for server-side sorting).
import { useMemo, useState, type ReactNode } from "react";

export interface Column<T> {
  key: string;
  label: ReactNode;
  render: (row: T) => ReactNode;
  /** The value sorted on; without it the column does not sort. */
  sort?: (row: T) => number | string | null | undefined;
  align?: "left" | "right";
  title?: string;
  className?: string;
}

export interface SortState {
  key: string;
  dir: "asc" | "desc";
}

export function DataTable<T>({
  columns, rows, rowKey, initialSort, onSort, sort: controlled, rowClass, empty, dense,
}: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  initialSort?: SortState;
  /** When given, sorting is the caller's (e.g. asked of the server); the rows are shown as they come. */
  onSort?: (s: SortState) => void;
  sort?: SortState;
  rowClass?: (row: T) => string | undefined;
  empty?: ReactNode;
  dense?: boolean;
}) {
  const [local, setLocal] = useState<SortState | undefined>(initialSort);
  const sort = controlled ?? local;
  const sorted = useMemo(() => {
    if (onSort || !sort) return rows;
    const col = columns.find((c) => c.key === sort.key);
    if (!col?.sort) return rows;
    const value = col.sort;
    const sign = sort.dir === "desc" ? -1 : 1;
    return [...rows].sort((a, b) => compare(value(a), value(b), sign));
  }, [rows, sort, columns, onSort]);

  const click = (c: Column<T>) => {
    if (!c.sort) return;
    const next: SortState = sort?.key === c.key ? { key: c.key, dir: sort.dir === "asc" ? "desc" : "asc" } : { key: c.key, dir: typeof c.sort(rows[0]) === "string" ? "asc" : "desc" };
    if (onSort) onSort(next);
    else setLocal(next);
  };

  return (
    <div className="table-wrap">
      <table className={`data${dense ? " dense" : ""}`}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th
                key={c.key}
                className={`${c.align === "right" ? "num" : ""} ${c.sort ? "sortable" : ""} ${c.className ?? ""}`}
                onClick={() => click(c)}
                title={c.title}
                aria-sort={sort?.key === c.key ? (sort.dir === "asc" ? "ascending" : "descending") : undefined}
              >
                {c.label}
                {sort?.key === c.key && <span className="arrow">{sort.dir === "asc" ? " ▲" : " ▼"}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="empty-row">
                {empty ?? "nothing to show"}
              </td>
            </tr>
          )}
          {sorted.map((r) => (
            <tr key={rowKey(r)} className={rowClass?.(r)}>
              {columns.map((c) => (
                <td key={c.key} className={`${c.align === "right" ? "num" : ""} ${c.className ?? ""}`}>
                  {c.render(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Missing values sort last whichever way; numbers numerically, text by locale. */
function compare(a: number | string | null | undefined, b: number | string | null | undefined, sign: number): number {
  const na = a === null || a === undefined || (typeof a === "number" && Number.isNaN(a));
  const nb = b === null || b === undefined || (typeof b === "number" && Number.isNaN(b));
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return sign * (a - b);
  return sign * String(a).localeCompare(String(b), "en", { numeric: true });
}
