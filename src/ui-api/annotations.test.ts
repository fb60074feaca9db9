// Editable notes and tags over HTTP on a real metadata store (SQLite, and PostgreSQL when it runs): the change is
// stored on the run, each changed field audited with its value before and after and the token's name, a repeat
// writes nothing, two concurrent editors lose nothing, bad bodies get a 4xx naming the field, and no token → 401.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { Authenticator } from "../serve/auth.js";
import { statusOf } from "../serve/http-errors.js";
import type { MetadataStore } from "../store/metadata-store.js";
import { openMetadataStore } from "../store/open-metadata-store.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, requireServices } from "../store/test-helpers/services.js";
import { annotationRoutes, annotationWriteRoutes, runChangeOf } from "./annotations.js";
import type { UiData } from "./data.js";
import { errorJson } from "./http.js";

const pgReason = await postgresUnavailable();
if (pgReason && requireServices) throw new Error(`${pgReason}; CI must run the PostgreSQL adapter tests`);
const schema = freshSchema("annotations_test");
afterAll(async () => {
  if (!pgReason) await dropSchema(schema);
});

const adapters = [
  { name: "sqlite", url: () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-annot-")), "meta.db"), skip: false },
  { name: "postgres", url: () => `${postgresUrl}?schema=${schema}`, skip: pgReason !== null },
];

function appOn(meta: MetadataStore): Hono {
  // The routes read the store through the workspace's meta(); only that is needed here.
  const data = { meta: async () => ({ meta }) } as unknown as UiData;
  const app = new Hono();
  app.onError((e) => errorJson(e));
  const auth = new Authenticator([{ name: "ana", token: "tok-ana", scopes: new Set(["promote", "read"]) }, { name: "reader", token: "tok-read", scopes: new Set(["read"]) }]);
  annotationWriteRoutes(app, auth.guard, data, () => undefined);
  const api = new Hono();
  annotationRoutes(api, data, () => undefined);
  app.route("/api", api);
  return app;
}

const post = (app: Hono, url: string, body: unknown, token = "tok-ana") =>
  app.request(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

describe.each(adapters)("annotations on $name", ({ url, skip }) => {
  it.skipIf(skip)("stores a note and tags, audits each field, writes nothing for a repeat, and keeps concurrent edits", async () => {
    const meta = await openMetadataStore(url());
    try {
      const id = `run-${Math.random().toString(36).slice(2)}`;
      await meta.createRun({ id, experiment: "churn", name: "gbdt", status: "finished", params: {}, metrics: {}, tags: { candidate: "gbdt" }, artifacts: [], datasetId: null, parentRunId: null, startedAt: new Date().toISOString(), endedAt: null, durationMs: null });
      const app = appOn(meta);
      let res = await post(app, `/api/runs/${id}/annotations`, { notes: "baseline for Q1", tags: { owner: "ana", review: "pending" } });
      expect(res.status).toBe(200);
      const first = (await res.json()) as any;
      expect(first.edits.map((e: any) => [e.field, e.before, e.after, e.actor])).toEqual([
        ["notes", null, "baseline for Q1", "token:ana"],
        ["tag:owner", null, "ana", "token:ana"],
        ["tag:review", null, "pending", "token:ana"],
      ]);
      let run = (await meta.getRun(id))!;
      expect([run.notes, run.tags]).toEqual(["baseline for Q1", { candidate: "gbdt", owner: "ana", review: "pending" }]);
      // The same values again: nothing changes, nothing audited.
      res = await post(app, `/api/runs/${id}/annotations`, { notes: "baseline for Q1", tags: { owner: "ana" } });
      expect(((await res.json()) as any).edits).toEqual([]);
      // Removing a tag and changing the note; two editors at once on different tags both land.
      const [a, b] = await Promise.all([
        post(app, `/api/runs/${id}/annotations`, { tags: { review: null, a: "1" } }),
        post(app, `/api/runs/${id}/annotations`, { notes: "kept", tags: { b: "2" } }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      run = (await meta.getRun(id))!;
      expect([run.notes, run.tags]).toEqual(["kept", { candidate: "gbdt", owner: "ana", a: "1", b: "2" }]);
      const history = (await (await app.request(`/api/runs/${id}/annotations`)).json()) as any[];
      expect(history).toHaveLength(7);
      expect(history.find((e) => e.field === "tag:review" && e.after === null)?.before).toBe("pending");
      expect(history[history.length - 1].field).toBe("notes"); // newest first
    } finally {
      await meta.close();
    }
  }, 30_000);
});

describe("annotation requests refused", () => {
  it("names the field of a bad body, refuses pipeline tags, unknown runs and missing tokens or scopes", async () => {
    const meta = await openMetadataStore(adapters[0].url());
    try {
      const app = appOn(meta);
      const id = "r1";
      await meta.createRun({ id, experiment: "e", name: "n", status: "finished", params: {}, metrics: {}, tags: {}, artifacts: [], datasetId: null, parentRunId: null, startedAt: new Date().toISOString(), endedAt: null, durationMs: null });
      const refused = async (body: unknown, status: number, field: string | null) => {
        const res = await post(app, `/api/runs/${id}/annotations`, body);
        const j = (await res.json()) as any;
        expect([res.status, j.path], JSON.stringify(body)).toEqual([status, field]);
      };
      await refused({ notes: 3 }, 400, "notes");
      await refused({ tags: { "bad key": "x" } }, 400, "tags.bad key");
      await refused({ tags: { state: "complete" } }, 400, "tags.state");
      // auto's record of what it chose: written by the pipeline too.
      await refused({ tags: { chosen: "ridge" } }, 400, "tags.chosen");
      await refused({ tags: { owner: 5 } }, 400, "tags.owner");
      await refused({ tags: [] }, 400, "tags");
      await refused({ note: "typo" }, 400, "note");
      await refused({}, 400, "body");
      await refused({ notes: "x".repeat(10_001) }, 400, "notes");
      expect((await post(app, "/api/runs/nope/annotations", { notes: "x" })).status).toBe(404);
      expect((await post(app, `/api/runs/${id}/annotations`, { notes: "x" }, "wrong")).status).toBe(401);
      expect((await post(app, `/api/runs/${id}/annotations`, { notes: "x" }, "tok-read")).status).toBe(403);
      expect((await meta.getRun(id))!.notes ?? null).toBeNull();
      expect(statusOf(catchOf(() => runChangeOf({ tags: { owner: "x".repeat(501) } })))).toBe(400);
      // A model version's description: unknown version 404, bad field 400.
      expect((await post(app, "/api/models/churn/3/annotations", { description: "x" })).status).toBe(404);
      expect((await post(app, "/api/models/churn/0/annotations", { description: "x" })).status).toBe(400);
    } finally {
      await meta.close();
    }
  });
});

function catchOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("did not throw");
}
