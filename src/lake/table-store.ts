// The lake's commit kernel: versioned tables of Parquet files on disk (manifests, the writer lock, the atomic
// commit with write-audit-publish, time travel) queried with DuckDB. The operations that write tables (ingest,
// materialize, merge, SCD) sit above it and take a TableStore; lake.ts puts both behind one Lake.
import fs from "node:fs";
import path from "node:path";
import { MillraceError, NotFoundError, ValidationError } from "../errors.js";
import type { ColumnSchema, Frame, TableRef, TableVersion } from "../records.js";
import type { Duck } from "./duck.js";
import { readFrame as readFrameFrom, pickColumns } from "./frame.js";
import { sha256File, sha256Text } from "./hash.js";
import { rewriteLakeSql } from "./query-sql.js";
import { ident, parseTableName, pathList } from "./sql.js";
import {
  commitManifest, currentVersion, listTables, listVersionNumbers, newDataFile, requireManifest, syncFiles, tableDir,
  type Manifest,
} from "./table-log.js";
import { withTableLock } from "./table-lock.js";

export interface LakeOptions {
  /** Test hook: called after data files are written and before the manifest is committed. */
  beforeCommit?: (table: string, version: number) => void;
}

/** What a writer sees while building a version (under the table's lock). */
export interface WriteContext {
  table: string;
  prev: Manifest | null;
  version: number;
  /** A fresh data file in the table's folder; removed again if the build fails. */
  newFile(forTable?: string): { rel: string; abs: string };
}

/** What a writer hands back: the full file list of the new version and the facts of the commit. */
export interface VersionDraft {
  files: string[];
  fileRows: number[];
  operation: string;
  parents: TableRef[];
  info?: Record<string, unknown>;
  cacheKey?: string;
  createdAt?: string;
  /** For versions without data files (views): their schema and row count. */
  schema?: ColumnSchema[];
  rowCount?: number;
  /** Runs after the commit, still under the lock (checkpoint caches, quarantine). */
  afterCommit?: (m: Manifest) => Promise<void> | void;
}

/** Stands for the lake's folder in stored SQL (view versions) and in cache keys, so neither holds an absolute path. */
const LAKE_TOKEN = "$MILLRACE_LAKE$";
/** A quoted data-file path of any lake folder, as older versions stored them: '<folder>/tables/<layer>/<name>/data/<file>'. */
const STORED_FILE = /'((?:[^']|'')*?)\/(tables\/[A-Za-z_][A-Za-z0-9_]*\/[A-Za-z_][A-Za-z0-9_]*\/data\/[^'/]+\.parquet)'/g;

/** Checks a staged version (readable by ref, current nowhere); throwing discards it. */
export type Audit = (staged: TableVersion) => Promise<void>;

/** A version whose files and manifest are written but not committed: checked, then published or discarded. */
interface StagedVersion {
  manifest: Manifest;
  /** Every file the build created (removed again on discard). */
  created: string[];
}

export class TableStore {
  private readonly manifests = new Map<string, Manifest>();
  /** Set on a view made by auditing(): the table whose writes this view stages and checks before publishing. */
  private readonly audit: { table: string; check: Audit } | null = null;

  protected constructor(readonly root: string, readonly duck: Duck, private readonly options: LakeOptions) {}

  /**
   * Write-audit-publish, stated where the write happens: this store as a view whose every write to `table` is staged,
   * checked by `audit`, and published only if the audit passes (else discarded: the previous version stays current).
   * Hand the view to the operation that writes (ingest, materialize, merge, SCD); the view shares the engine and
   * caches, and other tables are written as usual.
   */
  auditing(table: string, audit: Audit): this {
    parseTableName(table);
    const view = Object.create(this) as this;
    Object.defineProperty(view, "audit", { value: { table, check: audit } });
    return view;
  }

  private auditOf(table: string): Audit | undefined {
    return this.audit?.table === table ? this.audit.check : undefined;
  }

  /**
   * Builds and commits one version of `table` under its writer lock: data files first, then the manifest (the
   * single atomic step). For lake/ modules; returns null when the build decided there is nothing to commit.
   */
  async writeVersion(
    table: string,
    build: (ctx: WriteContext) => Promise<VersionDraft | { reuse: Manifest } | null>,
  ): Promise<{ manifest: Manifest | null; reused: boolean }> {
    parseTableName(table);
    return withTableLock(this.root, table, async () => {
      const cur = currentVersion(this.root, table);
      const prev = cur ? this.manifest({ table, version: cur }) : null;
      const created: string[] = [];
      const ctx: WriteContext = {
        table, prev, version: cur + 1,
        newFile: (forTable = table) => {
          const rel = newDataFile(this.root, forTable, cur + 1, created.length);
          created.push(rel);
          return { rel, abs: path.join(this.root, rel) };
        },
      };
      let draft: VersionDraft | { reuse: Manifest } | null;
      try {
        draft = await build(ctx);
      } catch (e) {
        for (const f of created) fs.rmSync(path.join(this.root, f), { force: true });
        throw e;
      }
      if (!draft) {
        for (const f of created) fs.rmSync(path.join(this.root, f), { force: true });
        return { manifest: null, reused: false };
      }
      if ("reuse" in draft) return { manifest: draft.reuse, reused: true };
      // Files the build created but the version does not name (an empty part, say) are not left behind.
      const named = new Set([...draft.files, ...(((draft.info?.quarantine as { files?: string[] } | undefined)?.files) ?? [])]);
      for (const f of created.filter((c) => !named.has(c))) fs.rmSync(path.join(this.root, f), { force: true });
      const staged = await this.stage(table, cur + 1, prev, draft, created);
      const audit = this.auditOf(table);
      if (audit) {
        try {
          await audit(staged.manifest);
        } catch (e) {
          this.discard(staged);
          throw e;
        }
      }
      this.publish(staged);
      await draft.afterCommit?.(staged.manifest);
      return { manifest: staged.manifest, reused: false };
    });
  }

  /** Stage: the version's files durable and its manifest built, readable by ref here, current nowhere. */
  private async stage(table: string, version: number, prev: Manifest | null, draft: VersionDraft, created: string[]): Promise<StagedVersion> {
    const manifest = await this.buildManifest(table, version, prev, draft);
    syncFiles(this.root, created.filter((f) => fs.existsSync(path.join(this.root, f))));
    this.manifests.set(`${table}@${version}`, manifest);
    return { manifest, created };
  }

  /** Publish: the manifest committed (the single atomic step); the version is current. */
  private publish(s: StagedVersion): void {
    const { table, version } = s.manifest;
    try {
      commitManifest(this.root, s.manifest, { beforeCommit: this.options.beforeCommit && (() => this.options.beforeCommit!(table, version)) });
    } catch (e) {
      this.manifests.delete(`${table}@${version}`); // not committed: a later writer may take this version number
      throw e;
    }
  }

  /** Discard: the staged files removed and the manifest forgotten; the previous version stays current. */
  private discard(s: StagedVersion): void {
    this.manifests.delete(`${s.manifest.table}@${s.manifest.version}`);
    for (const f of s.created) fs.rmSync(path.join(this.root, f), { force: true });
  }

  private async buildManifest(table: string, version: number, prev: Manifest | null, d: VersionDraft): Promise<Manifest> {
    const known = new Map(prev ? prev.files.map((f, i) => [f, prev.fileHashes[i]]) : []);
    const fileHashes = await Promise.all(d.files.map((f) => known.get(f) ?? sha256File(path.join(this.root, f))));
    const schema: ColumnSchema[] = d.schema ?? (d.files.length
      ? await this.duck.describe(`SELECT * FROM ${this.filesRelation(d.files)}`)
      : prev?.schema ?? []);
    return {
      format: 1,
      table,
      version,
      files: d.files,
      fileRows: d.fileRows,
      fileHashes,
      rowCount: d.rowCount ?? d.fileRows.reduce((a, b) => a + b, 0),
      schema,
      contentHash: sha256Text(...fileHashes),
      parents: d.parents.map((p) => ({ table: p.table, version: p.version })),
      operation: d.operation,
      createdAt: d.createdAt ?? new Date().toISOString(),
      ...(d.info ? { info: d.info } : {}),
      ...(d.cacheKey !== undefined ? { cacheKey: d.cacheKey } : {}),
    };
  }

  /** Rows stored in Parquet files, read from their footers: the ground truth for the row-count invariants. */
  async parquetRows(files: string[]): Promise<number> {
    if (!files.length) return 0;
    const [r] = await this.duck.rows(
      `SELECT coalesce(sum(num_rows), 0) AS n FROM parquet_file_metadata(${pathList(files.map((f) => path.join(this.root, f)))})`,
    );
    return Number(r.n);
  }

  /** Manifests never change once committed, so they are cached by table@version. */
  manifest(ref: TableRef): Manifest {
    const key = `${ref.table}@${ref.version}`;
    let m = this.manifests.get(key);
    if (!m) {
      parseTableName(ref.table);
      m = requireManifest(this.root, ref);
      this.manifests.set(key, m);
    }
    return m;
  }

  /** Drops cached manifests of versions that vacuum removed. */
  forget(ref: TableRef): void {
    this.manifests.delete(`${ref.table}@${ref.version}`);
  }

  async current(table: string): Promise<TableVersion | null> {
    parseTableName(table);
    const v = currentVersion(this.root, table);
    return v ? this.manifest({ table, version: v }) : null;
  }

  async version(ref: TableRef): Promise<TableVersion> {
    return this.manifest(ref);
  }

  async history(table: string): Promise<TableVersion[]> {
    return listVersionNumbers(tableDir(this.root, table)).map((version) => this.manifest({ table, version }));
  }

  async tables(): Promise<TableVersion[]> {
    const out: TableVersion[] = [];
    for (const t of listTables(this.root)) {
      const cur = await this.current(t);
      if (cur) out.push(cur);
    }
    return out;
  }

  /** Time travel: the version current at `timestamp` (ISO), or a given version number. */
  async asOf(table: string, at: { version?: number; timestamp?: string }): Promise<TableVersion> {
    if (at.version !== undefined) return this.manifest({ table, version: at.version });
    const t = Date.parse(at.timestamp ?? "");
    if (Number.isNaN(t)) {
      throw new ValidationError(`timestamp ${JSON.stringify(at.timestamp)} is not a date`, { hint: "use ISO 8601, e.g. 2024-05-01T12:00:00Z" });
    }
    const versions = (await this.history(table)).filter((v) => Date.parse(v.createdAt) <= t);
    if (!versions.length) {
      throw new NotFoundError(`${table} had no version at ${at.timestamp}`, { path: table, hint: `see: millrace history ${table}` });
    }
    return versions[versions.length - 1];
  }

  /** `sql` with this lake's folder replaced by a token: what a view stores and a cache key hashes. */
  portableSql(sql: string): string {
    return sql.split(this.sqlRoot()).join(`${LAKE_TOKEN}/tables/`);
  }

  /**
   * Stored SQL made runnable here: the token becomes this lake's folder, and an absolute data-file path written by an
   * older version under another folder (the project was moved or copied) is read from this lake instead.
   */
  resolveSql(sql: string): string {
    const here = sql.split(`${LAKE_TOKEN}/tables/`).join(this.sqlRoot());
    return here.replace(STORED_FILE, (whole, folder: string, rel: string) =>
      folder === this.root.replaceAll("'", "''") ? whole : `'${path.join(this.root, rel).replaceAll("'", "''")}'`);
  }

  private sqlRoot(): string {
    return `${this.root.replaceAll("'", "''")}${path.sep}tables${path.sep}`;
  }

  /** A table expression reading exactly this version's files. */
  relation(ref: TableRef): string {
    const m = this.manifest(ref);
    // A view version stores its SQL, with its inputs pinned to the versions it was built from.
    if (m.operation === "view") return `(\n${this.resolveSql(String(m.info?.sql))}\n)`;
    return m.files.length ? this.filesRelation(m.files) : emptyRelation(m.schema);
  }

  private filesRelation(files: string[]): string {
    const abs = files.map((f) => path.join(this.root, f));
    // union_by_name: appended files may add columns; a column missing from older files reads as NULL.
    return `read_parquet(${pathList(abs)}, union_by_name = true)`;
  }

  /**
   * SQL over the lake: tables by name (current version), `t VERSION AS OF 3`, `t TIMESTAMP AS OF '...'`, `t@3`.
   * Values come back JSON-safe (BigInt → number when exact).
   */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const rendered = await rewriteLakeSql(this, sql);
    try {
      return await this.duck.rows(rendered);
    } catch (e) {
      if (e instanceof MillraceError) throw e;
      throw new ValidationError(`query failed: ${(e as Error).message.split("\n")[0]}`, { hint: "check the SQL against `millrace tables`" });
    }
  }

  /**
   * `sorted`: rows in a fixed order (by every column read) rather than file order. A table built by a parallel SQL
   * plan (window functions, joins) holds the same rows in a different order on each build; a seeded split over
   * row numbers is only reproducible on a fixed order.
   */
  async readFrame(ref: TableRef, opts: { columns?: string[]; sorted?: boolean } = {}): Promise<Frame> {
    const m = this.manifest(ref);
    const schema = pickColumns(m.schema, opts.columns, `${ref.table}@${ref.version}`);
    const relation = opts.sorted
      ? `(SELECT ${schema.map((c) => ident(c.name)).join(", ")} FROM ${this.relation(ref)} ORDER BY ALL NULLS FIRST)`
      : this.relation(ref);
    return readFrameFrom(this.duck, relation, schema);
  }

  async close(): Promise<void> {
    this.duck.close();
  }
}

/** A typed zero-row relation, for a version that has a schema but no data files. */
function emptyRelation(schema: ColumnSchema[]): string {
  if (schema.length === 0) return "(SELECT NULL AS _empty WHERE false)";
  return `(SELECT ${schema.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(", ")} WHERE false)`;
}
