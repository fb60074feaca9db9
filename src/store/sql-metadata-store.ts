// MetadataStore on Kysely: the same queries run on SQLite (embedded default) and PostgreSQL (scale-out).
import { randomUUID } from "node:crypto";
import { Kysely, sql, type Transaction } from "#kysely";
import type { Dataset, LineageEdge, MetricPoint, ModelVersion, Run } from "../records.js";
import { archiveTransitions, setArchived } from "./archive-transitions.js";
import type {
  AliasTransition,
  ArchiveTransition,
  MetadataStore,
  NewModelVersion,
  PipelineRunRecord,
  RunQuery,
  ScheduleTick,
} from "./metadata-store.js";
import { claimScheduleTick, finishScheduleTick, latestScheduleTick, listScheduleTicks } from "./schedule-ticks.js";
import { getPipelineRun, listPipelineRuns, savePipelineRun } from "./pipeline-runs.js";
import { currentOwner } from "./process-owner.js";
import { migrateToLatest, type MetaTables } from "./schema.js";
import { ownerColumns, reapStaleRuns, type StaleRun } from "./stale-runs.js";
import { isUniqueViolation, toAliasTransition, toDataset, toDatasetRow, toModelVersion, toRunRow, type RunRow, type VersionRow } from "./sql-rows.js";

type Db = Kysely<MetaTables>;

const now = () => new Date().toISOString();

export class SqlMetadataStore implements MetadataStore {
  private constructor(
    /** The connection, for the orchestration records kept beside these (orchestration.ts). */
    readonly db: Db,
    readonly dialect: "sqlite" | "postgres",
  ) {}

  static async open(db: Kysely<any>, dialect: "sqlite" | "postgres", schema?: string): Promise<SqlMetadataStore> {
    await migrateToLatest(db, schema);
    return new SqlMetadataStore(db as Db, dialect);
  }

  async createRun(run: Run): Promise<void> {
    await this.db.insertInto("runs").values({ ...toRunRow(run), ...ownerColumns(run.status, currentOwner()) }).execute();
    if (Object.keys(run.metrics).length > 0) {
      await this.logMetrics(run.id, Object.entries(run.metrics).map(([key, value]) => ({ key, value, step: 0, at: run.startedAt })));
    }
    for (const uri of run.artifacts) await this.addArtifact(run.id, uri);
  }

  async updateRun(id: string, patch: Partial<Pick<Run, "status" | "endedAt" | "durationMs" | "error" | "datasetId" | "notes">>): Promise<void> {
    const set: Partial<RunRow> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.endedAt !== undefined) set.ended_at = patch.endedAt;
    if (patch.durationMs !== undefined) set.duration_ms = patch.durationMs;
    if (patch.error !== undefined) set.error = patch.error;
    if (patch.datasetId !== undefined) set.dataset_id = patch.datasetId;
    if (patch.notes !== undefined) set.notes = patch.notes;
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable("runs").set(set).where("id", "=", id).execute();
  }

  async mergeParams(runId: string, params: Record<string, unknown>): Promise<void> {
    await this.mergeJson(runId, "params", params);
  }

  async mergeTags(runId: string, tags: Record<string, string>): Promise<void> {
    await this.mergeJson(runId, "tags", tags);
  }

  private async mergeJson(runId: string, column: "params" | "tags", values: Record<string, unknown>): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom("runs").select(column).where("id", "=", runId).executeTakeFirst();
      if (!row) throw new Error(`run ${runId} does not exist`);
      const merged = { ...JSON.parse(row[column]), ...values };
      await tx.updateTable("runs").set({ [column]: JSON.stringify(merged) }).where("id", "=", runId).execute();
    });
  }

  async logMetrics(runId: string, points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("run_metrics")
        .values(points.map((p) => ({ run_id: runId, key: p.key, value: p.value, step: p.step, at: p.at })))
        .execute();
      for (const p of points) {
        await tx
          .insertInto("run_latest_metrics")
          .values({ run_id: runId, key: p.key, value: p.value, step: p.step })
          .onConflict((oc) =>
            oc.columns(["run_id", "key"]).doUpdateSet({ value: p.value, step: p.step }).where("run_latest_metrics.step", "<=", p.step),
          )
          .execute();
      }
    });
  }

  async addArtifact(runId: string, uri: string): Promise<void> {
    await this.db
      .insertInto("run_artifacts")
      .values({ run_id: runId, uri })
      .onConflict((oc) => oc.columns(["run_id", "uri"]).doNothing())
      .execute();
  }

  async getRun(id: string): Promise<Run | null> {
    const row = await this.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) return null;
    return (await this.hydrateRuns([row]))[0];
  }

  async listRuns(query: RunQuery = {}): Promise<Run[]> {
    let q = this.db.selectFrom("runs").selectAll("runs");
    if (query.experiment !== undefined) q = q.where("runs.experiment", "=", query.experiment);
    if (query.parentRunId === null) q = q.where("runs.parent_run_id", "is", null);
    else if (query.parentRunId !== undefined) q = q.where("runs.parent_run_id", "=", query.parentRunId);
    if (query.status !== undefined) q = q.where("runs.status", "=", query.status);
    for (const [i, f] of (query.metricFilters ?? []).entries()) {
      const alias = `f${i}` as "f";
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom(`run_latest_metrics as ${alias}`)
            .select(sql`1`.as("one"))
            .whereRef(`${alias}.run_id`, "=", "runs.id")
            .where(`${alias}.key`, "=", f.key)
            .where(`${alias}.value`, f.op, f.value),
        ),
      );
    }
    const order = query.order ?? "desc";
    if (query.sortByMetric) {
      const key = query.sortByMetric;
      q = q
        .leftJoin("run_latest_metrics as m", (j) => j.onRef("m.run_id", "=", "runs.id").on("m.key", "=", key))
        // Runs without the metric sort last in either direction.
        .orderBy(sql`case when m.value is null then 1 else 0 end`)
        .orderBy("m.value", order);
    }
    q = q.orderBy("runs.started_at", query.sortByMetric ? "desc" : order).orderBy("runs.id", "desc");
    q = q.limit(query.limit ?? 100).offset(query.offset ?? 0);
    return this.hydrateRuns(await q.execute());
  }

  private async hydrateRuns(rows: RunRow[]): Promise<Run[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const metrics = await this.db.selectFrom("run_latest_metrics").selectAll().where("run_id", "in", ids).execute();
    const artifacts = await this.db.selectFrom("run_artifacts").selectAll().where("run_id", "in", ids).execute();
    return rows.map((r) => ({
      id: r.id,
      experiment: r.experiment,
      name: r.name,
      status: r.status as Run["status"],
      params: JSON.parse(r.params),
      tags: JSON.parse(r.tags),
      metrics: Object.fromEntries(metrics.filter((m) => m.run_id === r.id).map((m) => [m.key, Number(m.value)])),
      artifacts: artifacts.filter((a) => a.run_id === r.id).map((a) => a.uri),
      datasetId: r.dataset_id,
      parentRunId: r.parent_run_id,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      error: r.error,
      notes: r.notes,
    }));
  }

  async metricHistory(runId: string, key: string): Promise<MetricPoint[]> {
    const rows = await this.db
      .selectFrom("run_metrics")
      .selectAll()
      .where("run_id", "=", runId)
      .where("key", "=", key)
      .orderBy("step")
      .orderBy("at")
      .execute();
    return rows.map((r) => ({ key: r.key, value: Number(r.value), step: Number(r.step), at: r.at }));
  }

  async saveDataset(d: Dataset): Promise<void> {
    await this.db.insertInto("datasets").values(toDatasetRow(d)).onConflict((oc) => oc.column("id").doNothing()).execute();
  }

  async getDataset(id: string): Promise<Dataset | null> {
    const r = await this.db.selectFrom("datasets").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toDataset(r) : null;
  }

  async createModelVersion(mv: NewModelVersion): Promise<ModelVersion> {
    // Two writers may read the same max(version); the primary key rejects the loser, which retries.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          const top = await tx
            .selectFrom("model_versions")
            .select((eb) => eb.fn.max("version").as("v"))
            .where("name", "=", mv.name)
            .executeTakeFirst();
          const version = Number(top?.v ?? 0) + 1;
          const row: VersionRow = {
            name: mv.name,
            version,
            run_id: mv.runId,
            dataset_id: mv.datasetId,
            dataset_hash: mv.datasetHash,
            artifact_uri: mv.artifactUri,
            signature: JSON.stringify(mv.signature),
            metrics: JSON.stringify(mv.metrics),
            description: mv.description ?? null,
            created_at: mv.createdAt ?? now(),
            archived: 0,
            input_example: mv.inputExample ? JSON.stringify(mv.inputExample) : null,
          };
          await tx.insertInto("model_versions").values(row).execute();
          return toModelVersion(row, []);
        });
      } catch (e) {
        if (attempt >= 8 || !isUniqueViolation(e)) throw e;
      }
    }
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion | null> {
    const row = await this.db
      .selectFrom("model_versions")
      .selectAll()
      .where("name", "=", name)
      .where("version", "=", version)
      .executeTakeFirst();
    if (!row) return null;
    return toModelVersion(row, await this.aliasesOf(this.db, name, version));
  }

  async listModelVersions(name?: string): Promise<ModelVersion[]> {
    let q = this.db.selectFrom("model_versions").selectAll();
    if (name !== undefined) q = q.where("name", "=", name);
    const rows = await q.orderBy("name").orderBy("version", "desc").execute();
    const aliases = await this.db.selectFrom("model_aliases").selectAll().execute();
    return rows.map((r) =>
      toModelVersion(
        r,
        aliases.filter((a) => a.name === r.name && Number(a.version) === Number(r.version)).map((a) => a.alias),
      ),
    );
  }

  private async aliasesOf(db: Db | Transaction<MetaTables>, name: string, version: number): Promise<string[]> {
    const rows = await db
      .selectFrom("model_aliases")
      .select("alias")
      .where("name", "=", name)
      .where("version", "=", version)
      .orderBy("alias")
      .execute();
    return rows.map((r) => r.alias);
  }

  async getAlias(name: string, alias: string): Promise<number | null> {
    const row = await this.db
      .selectFrom("model_aliases")
      .select("version")
      .where("name", "=", name)
      .where("alias", "=", alias)
      .executeTakeFirst();
    return row ? Number(row.version) : null;
  }

  async moveAlias(
    name: string,
    alias: string,
    version: number | null,
    audit: { actor: string; reason: string },
  ): Promise<AliasTransition> {
    return this.db.transaction().execute(async (tx) => {
      const prev = await tx
        .selectFrom("model_aliases")
        .select("version")
        .where("name", "=", name)
        .where("alias", "=", alias)
        .executeTakeFirst();
      const at = now();
      if (version === null) {
        await tx.deleteFrom("model_aliases").where("name", "=", name).where("alias", "=", alias).execute();
      } else {
        await tx
          .insertInto("model_aliases")
          .values({ name, alias, version, updated_at: at })
          .onConflict((oc) => oc.columns(["name", "alias"]).doUpdateSet({ version, updated_at: at }))
          .execute();
      }
      const t: AliasTransition = {
        id: randomUUID(),
        name,
        alias,
        fromVersion: prev ? Number(prev.version) : null,
        toVersion: version,
        actor: audit.actor,
        reason: audit.reason,
        at,
      };
      await tx
        .insertInto("alias_transitions")
        .values({
          id: t.id,
          name,
          alias,
          from_version: t.fromVersion,
          to_version: t.toVersion,
          actor: t.actor,
          reason: t.reason,
          at,
        })
        .execute();
      return t;
    });
  }

  async aliasTransitions(name: string, alias?: string): Promise<AliasTransition[]> {
    let q = this.db.selectFrom("alias_transitions").selectAll().where("name", "=", name);
    if (alias !== undefined) q = q.where("alias", "=", alias);
    return (await q.orderBy("at").execute()).map(toAliasTransition);
  }

  async addLineage(edges: LineageEdge[]): Promise<void> {
    if (edges.length === 0) return;
    const at = now();
    await this.db
      .insertInto("lineage")
      .values(edges.map((e) => ({ from_id: e.from, to_id: e.to, kind: e.kind, at })))
      .onConflict((oc) => oc.columns(["from_id", "to_id", "kind"]).doNothing())
      .execute();
  }

  async lineageInto(id: string): Promise<LineageEdge[]> {
    const rows = await this.db.selectFrom("lineage").selectAll().where("to_id", "=", id).orderBy("from_id").execute();
    return rows.map((r) => ({ from: r.from_id, to: r.to_id, kind: r.kind as LineageEdge["kind"] }));
  }

  async lineageOutOf(id: string): Promise<LineageEdge[]> {
    const rows = await this.db.selectFrom("lineage").selectAll().where("from_id", "=", id).orderBy("to_id").execute();
    return rows.map((r) => ({ from: r.from_id, to: r.to_id, kind: r.kind as LineageEdge["kind"] }));
  }

  savePipelineRun(run: PipelineRunRecord): Promise<void> {
    return savePipelineRun(this.db, run);
  }

  listPipelineRuns(project?: string, limit = 20): Promise<PipelineRunRecord[]> {
    return listPipelineRuns(this.db, project, limit);
  }

  getPipelineRun(idOrPrefix: string): Promise<PipelineRunRecord | null> {
    return getPipelineRun(this.db, idOrPrefix);
  }

  reapStaleRuns(): Promise<StaleRun[]> {
    return reapStaleRuns(this.db);
  }

  claimScheduleTick(tick: Omit<ScheduleTick, "status" | "endedAt" | "error">): Promise<boolean> {
    return claimScheduleTick(this.db, tick);
  }

  finishScheduleTick(key: { project: string; pipeline: string; dueAt: string }, outcome: { status: "succeeded" | "failed"; endedAt: string; error?: string }): Promise<void> {
    return finishScheduleTick(this.db, key, outcome);
  }

  latestScheduleTick(project: string, pipeline: string): Promise<ScheduleTick | null> {
    return latestScheduleTick(this.db, project, pipeline);
  }

  listScheduleTicks(project: string, pipeline?: string, limit = 50): Promise<ScheduleTick[]> {
    return listScheduleTicks(this.db, project, pipeline, limit);
  }

  setArchived(name: string, version: number, archived: boolean, audit: { actor: string; reason: string }): Promise<ArchiveTransition> {
    return this.db.transaction().execute((tx) => setArchived(tx, { name, version, archived, ...audit, at: now() }));
  }

  archiveTransitions(name: string, version?: number): Promise<ArchiveTransition[]> {
    return archiveTransitions(this.db, name, version);
  }

  async countRuns(experiment?: string): Promise<number> {
    let q = this.db.selectFrom("runs").select((eb) => eb.fn.countAll().as("n"));
    if (experiment !== undefined) q = q.where("experiment", "=", experiment);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  async deleteRun(id: string): Promise<string[]> {
    return this.db.transaction().execute(async (tx) => {
      const artifacts = (await tx.selectFrom("run_artifacts").select("uri").where("run_id", "=", id).execute()).map((a) => a.uri);
      await tx.deleteFrom("run_metrics").where("run_id", "=", id).execute();
      await tx.deleteFrom("run_latest_metrics").where("run_id", "=", id).execute();
      await tx.deleteFrom("run_artifacts").where("run_id", "=", id).execute();
      await tx.deleteFrom("lineage").where((eb) => eb.or([eb("from_id", "=", `run:${id}`), eb("to_id", "=", `run:${id}`)])).execute();
      await tx.updateTable("runs").set({ parent_run_id: null }).where("parent_run_id", "=", id).execute();
      await tx.deleteFrom("runs").where("id", "=", id).execute();
      return artifacts;
    });
  }

  async referencedArtifacts(): Promise<Set<string>> {
    const runs = await this.db.selectFrom("run_artifacts").select("uri").execute();
    const models = await this.db.selectFrom("model_versions").select("artifact_uri as uri").execute();
    return new Set([...runs, ...models].map((r) => r.uri));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
