// A run's artifact files for the dashboard: the files the run logged (runs/<id>/...) and the model versions registered
// from it (models/<name>/run-<id>/...), with sizes, and a download of one of them by its listed name. Only names in
// that list are served, so a path such as ../../meta.db never reaches the artifact store.
import type { Hono } from "hono";
import { ValidationError } from "../errors.js";
import type { Run } from "../records.js";
import type { UiData } from "./data.js";
import { errorJson, handle, notFound } from "./http.js";
import type { ArtifactFile, RunArtifactsResponse } from "./types.js";

/** The name of an artifact inside its run: the key after runs/<id>/, or registry/<model>/<file> for a version's copy. */
export function artifactName(uri: string, runId: string): string {
  const key = uri.replace(/^[a-z0-9]+:(\/\/[^/]*\/)?/i, "");
  const inRun = key.indexOf(`runs/${runId}/`);
  if (inRun >= 0) return key.slice(inRun + `runs/${runId}/`.length);
  const m = new RegExp(`models/([^/]+)/run-${runId}/(.+)$`).exec(key);
  if (m) return `registry/${m[1]}/${m[2]}`;
  return key.split("/").pop() ?? key;
}

/** A requested name: one path of plain segments (no "..", no absolute path, no backslash or control character). */
export function checkArtifactName(raw: string | undefined): string {
  if (raw === undefined || raw === "") throw new ValidationError("name is required: which artifact to download", { path: "name", hint: "GET /api/runs/<id>/artifacts lists the names" });
  if (raw.length > 512 || raw.startsWith("/") || /\\|[\u0000-\u001f]/.test(raw) || raw.split("/").some((s) => s === ".." || s === "." || s === "")) {
    throw new ValidationError(`name "${raw.slice(0, 80)}" is not an artifact name of this run (paths outside it are refused)`, { path: "name", hint: "use a name GET /api/runs/<id>/artifacts lists" });
  }
  return raw;
}

export function artifactsRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  /** Every artifact of the run as (name, uri, registered version), the run's own files first. */
  const listed = async (id: string): Promise<{ run: Run; files: Omit<ArtifactFile, "bytes">[] }> => {
    const { meta } = await data.meta();
    const run = await meta.getRun(id);
    if (!run) throw notFound(`no run ${id}`, "list the runs with: millrace runs");
    const versions = (await meta.listModelVersions()).filter((v) => v.runId === id);
    const files = new Map<string, Omit<ArtifactFile, "bytes">>();
    for (const uri of run.artifacts) files.set(artifactName(uri, id), { name: artifactName(uri, id), uri, model: null });
    for (const v of versions) {
      const name = artifactName(v.artifactUri, id);
      files.set(name, { name, uri: v.artifactUri, model: { name: v.name, version: v.version } });
    }
    return { run, files: [...files.values()] };
  };

  api.get(
    "/runs/:id/artifacts",
    handle(async (c): Promise<RunArtifactsResponse> => {
      const id = c.req.param("id") ?? "";
      const { files } = await listed(id);
      const { artifacts } = await data.meta();
      const sized = await Promise.all(
        files.map(async (f) => {
          try {
            return { ...f, bytes: (await artifacts.get(f.uri)).byteLength };
          } catch {
            return { ...f, bytes: null }; // listed on the run but gone from the store (garbage-collected, moved)
          }
        }),
      );
      return { runId: id, files: sized };
    }, log),
  );

  api.get("/runs/:id/artifact", async (c) => {
    try {
      const id = c.req.param("id") ?? "";
      const name = checkArtifactName(c.req.query("name"));
      const { files } = await listed(id);
      const file = files.find((f) => f.name === name);
      if (!file) throw notFound(`run ${id} has no artifact "${name}"`, `its artifacts: ${files.map((f) => f.name).join(", ") || "none"}`);
      const { artifacts } = await data.meta();
      const bytes = await artifacts.get(file.uri);
      const base = name.split("/").pop()!.replace(/[^A-Za-z0-9._-]/g, "_");
      return new Response(bytes, {
        status: 200,
        headers: {
          "content-type": name.endsWith(".json") ? "application/json" : "application/octet-stream",
          "content-length": String(bytes.byteLength),
          "content-disposition": `attachment; filename="${base}"`,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
        },
      });
    } catch (e) {
      return errorJson(e, log, `GET ${c.req.path}`);
    }
  });
}
