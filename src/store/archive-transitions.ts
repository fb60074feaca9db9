// Archive transitions in SQL: the archived flag of a model version and the audit row of its change, written together.
import { randomUUID } from "node:crypto";
import type { Kysely } from "#kysely";
import type { ArchiveTransition } from "./metadata-store.js";
import type { MetaTables } from "./schema.js";

type Row = MetaTables["archive_transitions"];

const toTransition = (r: Row): ArchiveTransition => ({
  id: r.id,
  name: r.name,
  version: Number(r.version),
  archived: Number(r.archived) === 1,
  actor: r.actor,
  reason: r.reason,
  at: r.at,
});

/** Call inside a transaction: the flag and its audit row commit together or not at all. */
export async function setArchived(db: Kysely<MetaTables>, t: Omit<ArchiveTransition, "id">): Promise<ArchiveTransition> {
  const last = await db
    .selectFrom("archive_transitions")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .where("name", "=", t.name)
    .where("version", "=", t.version)
    .executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  const row: Row = { id: randomUUID(), name: t.name, version: t.version, seq, archived: t.archived ? 1 : 0, actor: t.actor, reason: t.reason, at: t.at };
  await db.updateTable("model_versions").set({ archived: row.archived }).where("name", "=", t.name).where("version", "=", t.version).execute();
  await db.insertInto("archive_transitions").values(row).execute();
  return toTransition(row);
}

export async function archiveTransitions(db: Kysely<MetaTables>, name: string, version?: number): Promise<ArchiveTransition[]> {
  let q = db.selectFrom("archive_transitions").selectAll().where("name", "=", name);
  if (version !== undefined) q = q.where("version", "=", version);
  return (await q.orderBy("at").orderBy("version").orderBy("seq").execute()).map(toTransition);
}
