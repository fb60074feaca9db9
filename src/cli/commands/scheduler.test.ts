// `millrace scheduler --once`: fires the due tick of a real project's schedule (a full pipeline run, recorded with
// trigger "schedule"), fires nothing the second time, and refuses a project without a schedule.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { millrace } from "../../../test/cli.js";
import { openMetadataStore } from "../../store/open-metadata-store.js";

let dir: string;
const yaml = (extra: string) => `name: sched
sources:
  - { name: events, path: data/landing }
dataset: { table: bronze.events, target: y, task: binary, positive: "yes", exclude: [id] }
train:
  cv_folds: 0
  candidates: [{ name: lr, model: logistic_regression }]
registry: { model: sched, gate: { must_beat_production: false } }
${extra}`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-sched-cli-"));
  fs.mkdirSync(path.join(dir, "data/landing"), { recursive: true });
  const rows = Array.from({ length: 200 }, (_, i) => `${i},${i % 7},${i % 3 === 0 ? "yes" : "no"}`);
  fs.writeFileSync(path.join(dir, "data/landing/a.csv"), ["id,x,y", ...rows].join("\n") + "\n");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("millrace scheduler --once", () => {
  it("refuses a project without a schedule", () => {
    fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml(""));
    const r = millrace(["scheduler", dir, "--once", "--json"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/has no schedule/);
  });

  it("runs the latest due tick once, recording the run's trigger", async () => {
    // Yearly at midnight on 1 January: the latest due tick is fixed, so a second pass finds nothing new.
    fs.writeFileSync(path.join(dir, "millrace.yaml"), yaml('schedule: "0 0 1 1 *"\ntimezone: UTC\n'));
    const first = millrace(["scheduler", dir, "--once", "--json"]);
    expect(first.code, first.out).toBe(0);
    expect(first.json.fired).toHaveLength(1);
    expect(first.json.fired[0]).toMatchObject({ pipeline: "default", status: "succeeded" });
    expect(first.json.fired[0].dueAt).toMatch(/-01-01T00:00:00.000Z$/);
    const again = millrace(["scheduler", dir, "--once", "--json"]);
    expect(again.code, again.out).toBe(0);
    expect(again.json.fired).toEqual([]);
    const listed = millrace(["pipeline", "runs", "-p", dir, "--json"]);
    expect(listed.code, listed.out).toBe(0);
    expect(listed.json[0]).toMatchObject({ id: first.json.fired[0].runId, pipeline: "default", trigger: "schedule", status: "succeeded" });
    const manual = millrace(["run", dir, "--json"]);
    expect(manual.json.trigger).toBe("manual");
    expect(millrace(["pipeline", "runs", "-p", dir]).stdout).toMatch(/manual\s+succeeded/);
    const meta = await openMetadataStore(path.join(dir, ".millrace/meta.db"));
    try {
      const run = await meta.getPipelineRun(first.json.fired[0].runId);
      expect(run).toMatchObject({ status: "succeeded", trigger: "schedule" });
      expect((await meta.listScheduleTicks("sched")).map((t) => t.runId)).toEqual([first.json.fired[0].runId]);
    } finally {
      await meta.close();
    }
  });
});
