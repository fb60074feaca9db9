// Editable notes and tags: a run's note and tags, a model version's description, changed from the dashboard with a
// token of the promote scope (as alias moves are) and audited field by field (store/annotations.ts):
//   POST /api/runs/{id}/annotations            {"notes": "text" | null, "tags": {"key": "value" | null}}
//   POST /api/models/{name}/{version}/annotations  {"description": "text" | null}
//   GET  /api/runs/{id}/annotations, GET /api/models/{name}/{version}/annotations   the edits, newest first
import type { Context, Hono } from "hono";
import { ValidationError } from "../errors.js";
import { actorOf, type Guard } from "../serve/auth.js";
import { readJsonBody } from "../serve/body.js";
import { annotationsOf, runTarget, versionTarget, type AnnotationEdit, type RunAnnotationChange } from "../store/annotations.js";
import type { AnnotationResult } from "./types.js";
import type { UiData } from "./data.js";
import { SYSTEM_TAGS } from "./system-tags.js";
import { handle, notFound, versionParam } from "./http.js";

export type { AnnotationEdit, AnnotationResult } from "./types.js";

const MAX_BODY = 64 * 1024;
export const MAX_NOTE_CHARS = 10_000;
const MAX_TAG_VALUE_CHARS = 500;
const MAX_TAGS = 50;
const TAG_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,63}$/;

function objectBody(v: unknown, allowed: string[], example: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new ValidationError("the body must be a JSON object", { path: "body", hint: `send ${example}` });
  const body = v as Record<string, unknown>;
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw new ValidationError(`unknown field ${unknown}: the body takes ${allowed.join(" and ")}`, { path: unknown, hint: `send ${example}` });
  if (!allowed.some((k) => k in body)) throw new ValidationError(`nothing to change: send ${allowed.join(" or ")}`, { path: "body", hint: `send ${example}` });
  return body;
}

/** A note or description: text up to MAX_NOTE_CHARS, or null (or "") to clear it. */
function noteOf(v: unknown, path: string): string | null {
  if (v === null) return null;
  if (typeof v !== "string") throw new ValidationError(`${path} must be text or null`, { path });
  if (v.length > MAX_NOTE_CHARS) throw new ValidationError(`${path} is ${v.length} characters; at most ${MAX_NOTE_CHARS} are kept`, { path });
  return v.trim() === "" ? null : v;
}

/** The body of a run edit, checked field by field (each error names its field). */
export function runChangeOf(v: unknown): RunAnnotationChange {
  const example = '{"notes": "why this run matters", "tags": {"owner": "ana", "obsolete": null}}';
  const body = objectBody(v, ["notes", "tags"], example);
  const change: RunAnnotationChange = {};
  if ("notes" in body) change.notes = noteOf(body.notes, "notes");
  if ("tags" in body) {
    const tags = body.tags;
    if (tags === null || typeof tags !== "object" || Array.isArray(tags)) throw new ValidationError("tags must be an object of key → text (null removes a tag)", { path: "tags", hint: `send ${example}` });
    const entries = Object.entries(tags as Record<string, unknown>);
    if (entries.length > MAX_TAGS) throw new ValidationError(`tags has ${entries.length} keys; at most ${MAX_TAGS} per request`, { path: "tags" });
    change.tags = {};
    for (const [k, value] of entries) {
      const path = `tags.${k}`;
      if (!TAG_KEY.test(k)) throw new ValidationError(`tag key "${k}" is not 1-64 letters, digits or _ . : / -`, { path, hint: "e.g. owner, review.status" });
      if (SYSTEM_TAGS.has(k)) throw new ValidationError(`tag ${k} is written by the pipeline and cannot be edited`, { path, hint: "pick another key" });
      if (value !== null && typeof value !== "string") throw new ValidationError(`${path} must be text, or null to remove the tag`, { path });
      if (typeof value === "string" && value.length > MAX_TAG_VALUE_CHARS) throw new ValidationError(`${path} is ${value.length} characters; at most ${MAX_TAG_VALUE_CHARS}`, { path });
      change.tags[k] = value;
    }
  }
  return change;
}

const runId = (c: Context) => c.req.param("id") ?? "";
const modelName = (c: Context) => c.req.param("name") ?? "";

/** The audited edits of a run or model version (read scope, with the rest of the dashboard API). */
export function annotationRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/runs/:id/annotations",
    handle(async (c): Promise<AnnotationEdit[]> => annotationsOf((await data.meta()).meta).history(runTarget(runId(c))), log),
  );
  api.get(
    "/models/:name/:version/annotations",
    handle(async (c): Promise<AnnotationEdit[]> => annotationsOf((await data.meta()).meta).history(versionTarget(modelName(c), versionParam(c))), log),
  );
}

/**
 * The writes, on the serving app before the dashboard API (whose catch-all refuses POSTs), guarded like promote.
 * A server without tokens refuses them (the guard's 401 says the endpoint is disabled).
 */
export function annotationWriteRoutes(app: Hono, guard: Guard, data: UiData, log: (line: string) => void): void {
  app.post(
    "/api/runs/:id/annotations",
    guard("promote"),
    handle(async (c): Promise<AnnotationResult> => {
      const change = runChangeOf(await readJsonBody(c.req.raw, MAX_BODY));
      const id = runId(c);
      const edits = await annotationsOf((await data.meta()).meta).editRun(id, change, actorOf(c.req.raw));
      if (edits === null) throw notFound(`no run ${id}`, "list the runs with: millrace runs");
      return { target: runTarget(id), edits };
    }, log),
  );
  app.post(
    "/api/models/:name/:version/annotations",
    guard("promote"),
    handle(async (c): Promise<AnnotationResult> => {
      const version = versionParam(c);
      const body = objectBody(await readJsonBody(c.req.raw, MAX_BODY), ["description"], '{"description": "what this version is for"}');
      const description = noteOf(body.description, "description");
      const edits = await annotationsOf((await data.meta()).meta).editVersionDescription(modelName(c), version, description, actorOf(c.req.raw));
      if (edits === null) throw notFound(`no version ${version} of model ${modelName(c)}`, "list the versions with: millrace models");
      return { target: versionTarget(modelName(c), version), edits };
    }, log),
  );
}
