import { describe, expect, it } from "vitest";
import { definePipeline } from "./load-project.js";
import { fileSources, isPostgresSource, pulledSources, sourceKindOf } from "./source-kinds.js";

describe("source kinds", () => {
  it("tells landing-folder sources from PostgreSQL pulls, for the watcher, the push route and the ingest step alike", () => {
    const p = definePipeline({
      name: "kinds",
      sources: [{ name: "files" }, { name: "accounts", postgres: { url: "postgres://x/y", table: "public.accounts", cursor: "updated_at" } }, { name: "more", path: "data/more" }],
      dataset: { table: "bronze.files", target: "y", task: "binary" },
      train: { candidates: [{ name: "lr", model: "logistic_regression" }] },
      registry: { model: "kinds" },
    });
    expect(p.config.sources.map(sourceKindOf)).toEqual(["files", "postgres", "files"]);
    expect(fileSources(p.config.sources).map((s) => s.path)).toEqual(["data/landing", "data/more"]);
    expect(pulledSources(p.config.sources).map((s) => s.postgres.table)).toEqual(["public.accounts"]);
    expect(p.config.sources.filter(isPostgresSource).map((s) => s.name)).toEqual(["accounts"]);
  });
});
