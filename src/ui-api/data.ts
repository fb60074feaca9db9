// What the dashboard API reads: the serving process's Workspace (src/app/workspace.ts), whose stores are opened at the
// first request that needs them — the lake (a DuckDB instance) only when a page asks for tables, lineage or drift.
export type { Workspace as UiData } from "../app/workspace.js";
