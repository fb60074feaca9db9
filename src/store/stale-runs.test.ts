// Running records whose process is gone are marked failed with the reason, on SQLite and PostgreSQL alike.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Run } from "../records.js";
import type { MetadataStore } from "./metadata-store.js";
import { openMetadataStore } from "./open-metadata-store.js";
import { currentOwner, ownerGone, processStartTime, type ProcessOwner } from "./process-owner.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, requireServices } from "./test-helpers/services.js";

const pgReason = await postgresUnavailable();
if (pgReason && requireServices) throw new Error(`${pgReason}; CI must run the PostgreSQL adapter tests`);
if (pgReason) console.warn(`skipping PostgreSQL stale-run tests: ${pgReason}`);

const schema = freshSchema("stale_test");
const sqliteFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-stale-")), "meta.db");

/** Rewrites the owner of a record as a process elsewhere would have written it (the store always writes its own). */
const setOwner: Record<string, (table: string, id: string, o: ProcessOwner) => Promise<void>> = {
  async sqlite(table, id, o) {
    const db = new Database(sqliteFile);
    db.prepare(`update ${table} set owner_pid = ?, owner_host = ?, owner_started = ? where id = ?`).run(o.pid, o.host, o.started, id);
    db.close();
  },
  async postgres(table, id, o) {
    const client = new pg.Client({ connectionString: postgresUrl, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query(`update ${table} set owner_pid = $1, owner_host = $2, owner_started = $3 where id = $4`, [o.pid, o.host, o.started, id]);
    await client.end();
  },
};

const adapters = [
  { name: "sqlite", url: sqliteFile, skip: false },
  { name: "postgres", url: `${postgresUrl}?schema=${schema}`, skip: pgReason !== null },
];

const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (!pgReason) await dropSchema(schema);
});

/** A real process of this host: alive until killed. */
async function sleeper(): Promise<{ proc: ChildProcess; owner: ProcessOwner }> {
  const proc = spawn("sleep", ["60"], { stdio: "ignore" });
  children.push(proc);
  await new Promise((resolve) => proc.once("spawn", resolve));
  return { proc, owner: { pid: proc.pid!, host: os.hostname(), started: processStartTime(proc.pid!) } };
}

const run = (id: string): Run => ({
  id, experiment: "churn", name: id, status: "running", params: {}, metrics: {}, tags: {}, artifacts: [], datasetId: null, parentRunId: null,
  startedAt: new Date().toISOString(), endedAt: null, durationMs: null,
});

describe("process owner", () => {
  it("knows this process, a live one, a killed one and a reused pid", async () => {
    expect(currentOwner()).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(currentOwner().started).not.toBeNull();
    expect(ownerGone(currentOwner())).toBe(false);
    const { proc, owner } = await sleeper();
    expect(ownerGone(owner)).toBe(false);
    expect(ownerGone({ ...owner, started: "another process" })).toBe(true);
    expect(ownerGone({ ...owner, host: "elsewhere.example" })).toBe(false);
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
    expect(ownerGone(owner)).toBe(true);
  });
});

describe.each(adapters)("reapStaleRuns on $name", ({ name, url, skip }) => {
  let store: MetadataStore;
  beforeAll(async () => {
    if (!skip) store = await openMetadataStore(url);
  });
  afterAll(async () => {
    if (!skip) await store.close();
  });

  it.skipIf(skip)("marks runs of a killed process failed with its pid and host, and leaves live and foreign ones running", async () => {
    const killed = await sleeper();
    const reused = await sleeper();
    const live = await sleeper();
    const host = os.hostname();
    for (const id of ["dead", "reused", "live", "foreign", "mine", "done"]) await store.createRun(run(id));
    await store.updateRun("done", { status: "finished", endedAt: new Date().toISOString() });
    await store.savePipelineRun({ id: "pr-dead", project: "churn", status: "running", startedAt: new Date().toISOString(), endedAt: null, summary: null });
    await store.savePipelineRun({ id: "pr-mine", project: "churn", status: "running", startedAt: new Date().toISOString(), endedAt: null, summary: null });
    await setOwner[name]("runs", "dead", killed.owner);
    await setOwner[name]("pipeline_runs", "pr-dead", killed.owner);
    // The pid is alive but was started at another time: a new process took the number of the one that wrote the record.
    await setOwner[name]("runs", "reused", { ...reused.owner, started: "boot:1" });
    await setOwner[name]("runs", "live", live.owner);
    await setOwner[name]("runs", "foreign", { ...killed.owner, host: "worker-7.example" });
    const exited = new Promise((resolve) => killed.proc.once("exit", resolve));
    killed.proc.kill("SIGKILL");
    await exited;

    const reaped = await store.reapStaleRuns();
    const reason = `process ${killed.owner.pid} on ${host} ended without finishing`;
    expect(reaped.map((r) => `${r.kind}:${r.id}`).sort()).toEqual(["pipeline_run:pr-dead", "run:dead", "run:reused"]);
    expect(reaped.find((r) => r.id === "dead")).toEqual({ kind: "run", id: "dead", pid: killed.owner.pid, host, reason });
    expect(await store.getRun("dead")).toMatchObject({ status: "failed", error: reason });
    expect((await store.getRun("dead"))!.endedAt).not.toBeNull();
    expect(await store.getRun("reused")).toMatchObject({ status: "failed", error: `process ${reused.owner.pid} on ${host} ended without finishing` });
    expect(await store.getPipelineRun("pr-dead")).toMatchObject({ status: "failed", error: reason });
    for (const id of ["live", "foreign", "mine"]) expect((await store.getRun(id))!.status).toBe("running");
    expect((await store.getRun("done"))!.status).toBe("finished");
    expect((await store.getPipelineRun("pr-mine"))!.status).toBe("running");
    // Nothing left to reap; a record finished later keeps its own status.
    expect(await store.reapStaleRuns()).toEqual([]);
    await store.savePipelineRun({ id: "pr-mine", project: "churn", status: "succeeded", startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), summary: { ok: true } });
    expect(await store.getPipelineRun("pr-mine")).toMatchObject({ status: "succeeded", summary: { ok: true } });
    expect((await store.getPipelineRun("pr-mine"))!.error).toBeUndefined();
  });
});
