// Notes and tags edited on a run, and the description of a model version, written with their audit rows in one
// transaction (migration 0006): each changed field keeps its value before and after, who changed it and when.
// A field set to the value it already has writes nothing.
import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "#kysely";
import type { AnnotationEdit } from "./annotation-edit.js";
import type { MetadataStore } from "./metadata-store.js";
import type { MetaTables } from "./schema.js";
import { isUniqueViolation } from "./sql-rows.js";
import { SqlMetadataStore } from "./sql-metadata-store.js";

interface AnnotationTables extends MetaTables {
  annotation_edits: { id: string; target: string; seq: number; field: string; before: string | null; after: string | null; actor: string; at: string };
}
type Db = Kysely<AnnotationTables>;

export type { AnnotationEdit } from "./annotation-edit.js";

/** What to change on a run: the note (null clears it) and tags (a null value removes the tag). */
export interface RunAnnotationChange {
  notes?: string | null;
  tags?: Record<string, string | null>;
}

export const runTarget = (runId: string) => `run:${runId}`;
export const versionTarget = (name: string, version: number) => `model:${name}@${version}`;

export class AnnotationStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: "sqlite" | "postgres",
  ) {}

  /** Applies the change to the run and audits each field that changed; null when there is no such run. */
  async editRun(runId: string, change: RunAnnotationChange, actor: string): Promise<AnnotationEdit[] | null> {
    return this.audited(runTarget(runId), actor, async (tx) => {
      let q = tx.selectFrom("runs").select(["notes", "tags"]).where("id", "=", runId);
      if (this.dialect === "postgres") q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return null;
      const fields: [string, string | null, string | null][] = [];
      if (change.notes !== undefined && (row.notes ?? null) !== change.notes) fields.push(["notes", row.notes ?? null, change.notes]);
      const tags = JSON.parse(row.tags) as Record<string, string>;
      for (const [k, v] of Object.entries(change.tags ?? {})) {
        const before = tags[k] ?? null;
        if (before === v) continue;
        fields.push([`tag:${k}`, before, v]);
        if (v === null) delete tags[k];
        else tags[k] = v;
      }
      if (fields.length) {
        await tx.updateTable("runs").set({ notes: change.notes !== undefined ? change.notes : (row.notes ?? null), tags: JSON.stringify(tags) }).where("id", "=", runId).execute();
      }
      return fields;
    });
  }

  /** Sets a model version's description (null clears it), audited; null when there is no such version. */
  async editVersionDescription(name: string, version: number, description: string | null, actor: string): Promise<AnnotationEdit[] | null> {
    return this.audited(versionTarget(name, version), actor, async (tx) => {
      let q = tx.selectFrom("model_versions").select("description").where("name", "=", name).where("version", "=", version);
      if (this.dialect === "postgres") q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return null;
      if ((row.description ?? null) === description) return [];
      await tx.updateTable("model_versions").set({ description }).where("name", "=", name).where("version", "=", version).execute();
      return [["description", row.description ?? null, description]];
    });
  }

  /** A target's edits, newest first. */
  async history(target: string, limit = 200): Promise<AnnotationEdit[]> {
    const rows = await this.db.selectFrom("annotation_edits").selectAll().where("target", "=", target).orderBy("seq", "desc").limit(limit).execute();
    return rows.map(({ seq: _seq, ...r }) => r);
  }

  /** Runs `change` (which reads and updates the target) and writes one audit row per changed field, all in one transaction. */
  private async audited(
    target: string,
    actor: string,
    change: (tx: Transaction<AnnotationTables>) => Promise<[string, string | null, string | null][] | null>,
  ): Promise<AnnotationEdit[] | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          const fields = await change(tx);
          if (fields === null) return null;
          const last = await tx.selectFrom("annotation_edits").select((eb) => eb.fn.max("seq").as("seq")).where("target", "=", target).executeTakeFirst();
          let seq = Number(last?.seq ?? 0);
          const at = new Date().toISOString();
          const edits = fields.map(([field, before, after]) => ({ id: randomUUID(), target, field, before, after, actor, at }));
          for (const e of edits) await tx.insertInto("annotation_edits").values({ ...e, seq: ++seq }).execute();
          return edits;
        });
      } catch (e) {
        // Two writers took the same seq: the loser's transaction rolled back whole, so it can run again.
        if (attempt >= 8 || !isUniqueViolation(e)) throw e;
      }
    }
  }
}

export function annotationsOf(meta: MetadataStore): AnnotationStore {
  if (!(meta instanceof SqlMetadataStore)) throw new Error("annotation edits need the SQL metadata store");
  return new AnnotationStore(meta.db as unknown as Db, meta.dialect);
}
