// Notes and tags edited after the fact (the dashboard's editable notes and tags, on runs and model versions) are
// audited like alias moves: one row per changed field with the value before and after, who and when.
import type { Kysely, Migration } from "#kysely";

export const annotations: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("annotation_edits")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("target", "text", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("field", "text", (c) => c.notNull())
      .addColumn("before", "text")
      .addColumn("after", "text")
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .execute();
    // seq orders one target's edits (two in a millisecond share `at`); unique, so concurrent writers cannot tie.
    await db.schema.createIndex("annotation_edits_seq").unique().on("annotation_edits").columns(["target", "seq"]).execute();
  },
};
