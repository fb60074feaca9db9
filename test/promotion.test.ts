// Promotion you can trust, end to end through the CLI on the churn example: 2,000 customers arrive in a new landing
// file; the gate compares a memorising champion (a deep random forest) and the challenger only on test rows neither
// trained on, rows keep their side of the split, and a run killed between registering and gating is finished by
// the next run exactly as an uninterrupted run would have ended.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { cyrb53 } from "../src/learn/row-identity.js";
import { loadDataset } from "../src/flow/steps/dataset.js";
import { withResources } from "../src/flow/resources.js";
import { loadProject } from "../src/project/load-project.js";
import { cli, copyExample, millrace } from "./cli.js";

const HELD_OUT = 2000;

/** Moves every row of 2,000 customers out of the example's landing files into `dir/held-out.csv` (not yet landed). */
function holdOutCustomers(dir: string): string {
  const landing = path.join(dir, "data/landing");
  const files = fs.readdirSync(landing).filter((f) => f.endsWith(".csv")).sort();
  const ids = new Set<string>();
  for (const f of files) for (const line of fs.readFileSync(path.join(landing, f), "utf8").trim().split("\n").slice(1)) ids.add(line.split(",")[0]);
  const sorted = [...ids].sort();
  const chosen = new Set(sorted.filter((_, i) => i % 7 < 2).slice(0, HELD_OUT));
  let header = "";
  const moved: string[] = [];
  for (const f of files) {
    const [head, ...rows] = fs.readFileSync(path.join(landing, f), "utf8").trim().split("\n");
    header = head;
    const keep = rows.filter((r) => !chosen.has(r.split(",")[0]));
    moved.push(...rows.filter((r) => chosen.has(r.split(",")[0])));
    fs.writeFileSync(path.join(landing, f), [head, ...keep].join("\n") + "\n");
  }
  const out = path.join(dir, "held-out.csv");
  fs.writeFileSync(out, [header, ...moved].join("\n") + "\n");
  return out;
}

/** The example with one memorising candidate (a fully grown random forest), a lenient threshold and no CV (speed). */
function configure(dir: string, patch: (cfg: any) => void = () => undefined): void {
  const file = path.join(dir, "millrace.yaml");
  const cfg = parse(fs.readFileSync(file, "utf8"));
  cfg.train = { cv_folds: 0, metric: "roc_auc", candidates: [{ name: "forest", model: "random_forest", params: { n_estimators: 60 } }] };
  cfg.registry.gate = { min: { roc_auc: 0.5 }, must_beat_production: true };
  patch(cfg);
  fs.writeFileSync(file, stringify(cfg));
}

function land(dir: string, heldOut: string): void {
  fs.copyFileSync(heldOut, path.join(dir, "data/landing/customers-2026-03.csv"));
}

/** customer_id of each identity hash, so recorded splits can be read back as customers. */
function identityNames(dir: string): Map<number, string> {
  const out = new Map<number, string>();
  const landing = path.join(dir, "data/landing");
  for (const f of fs.readdirSync(landing)) {
    for (const line of fs.readFileSync(path.join(landing, f), "utf8").trim().split("\n").slice(1)) {
      const id = line.split(",")[0].replaceAll('"', "");
      out.set(cyrb53(id), id);
    }
  }
  return out;
}

async function splitCustomers(dir: string, datasetId: string): Promise<{ train: Set<string>; test: Set<string> }> {
  const names = identityNames(dir);
  return withResources(loadProject(dir), async (r) => {
    const d = await loadDataset(r, datasetId);
    const side = (rows: Uint32Array) => new Set([...rows].map((i) => names.get(d.identities[i]) ?? `?${d.identities[i]}`));
    return { train: side(d.train), test: side(d.test) };
  });
}

describe("promotion on rows neither model trained on", () => {
  let dir: string;
  let heldOut: string;

  beforeAll(() => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npm test builds it first (npm run build)");
    dir = copyExample();
    heldOut = holdOutCustomers(dir);
    configure(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("keeps every customer on its side, and scores a memorising champion only on rows it never saw", async () => {
    const first = millrace(["run", dir, "--json"]);
    expect(first.code, first.out).toBe(0);
    expect(first.json.model.promoted).toBe(true);
    const championTest = first.json.candidates[0].test.roc_auc as number;
    const v1 = first.json.dataset;
    expect(v1.rows).toBe(7043 - HELD_OUT);

    land(dir, heldOut);
    configure(dir, (cfg) => (cfg.train.retrain = "always"));
    const second = millrace(["run", dir, "--json"]);
    expect(second.code, second.out).toBe(0);
    const v2 = second.json.dataset;
    expect(v2.rows).toBe(7043);
    const c = second.json.model.comparison;
    console.log(`promotion: champion test ${championTest}, comparison ${JSON.stringify(c)}, reason ${second.json.model.reason}`);

    // Sides are stable: every old customer is where it was; the champion's training customers are never test rows.
    const a = await splitCustomers(dir, v1.id);
    const b = await splitCustomers(dir, v2.id);
    expect([...a.test].filter((id) => !b.test.has(id))).toEqual([]);
    expect([...a.train].filter((id) => !b.train.has(id))).toEqual([]);
    expect([...b.test].filter((id) => a.train.has(id))).toEqual([]);
    // So every new test row is a comparison row, and none of them is a champion training row.
    expect(c.rows).toBe(v2.testRows);
    expect(c.rows).toBe([...b.test].filter((id) => !a.train.has(id)).length);

    // A fully grown forest scores ~1.0 on its own training rows; on unseen rows it scores what its test said.
    // Bound: 3 standard errors of an AUC on ~1,400 rows (Hanley–McNeil, AUC 0.82, 27% positive ≈ 0.012) → 0.036,
    // and never above test + 0.02 as the issue asks.
    expect(c.champion).toBeLessThan(championTest + 0.02);
    expect(Math.abs(c.champion - championTest)).toBeLessThan(0.036);
    expect(c.interval.lo).toBeLessThanOrEqual(c.challenger - c.champion);
    expect(c.interval.hi).toBeGreaterThanOrEqual(c.challenger - c.champion);
    expect(c.interval.resamples).toBe(1000);
    expect(second.json.model.checks.find((k: any) => k.name === "beats production v1").detail).toContain(`on ${c.rows} test rows neither model trained on`);
  }, 300_000);
});

/** Runs the CLI and resolves with its exit code or the signal that ended it. */
function runUntilExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: "1", ...env } });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("exit", (code, signal) => resolve({ code, signal, out }));
  });
}

describe("crash-safe registration", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** A project that has run once (v1 in production) and now has 2,000 new customers landed. */
  function grownProject(): string {
    const dir = copyExample();
    dirs.push(dir);
    const heldOut = holdOutCustomers(dir);
    configure(dir);
    const r = millrace(["run", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    land(dir, heldOut);
    return dir;
  }

  const state = (dir: string) => {
    const models = millrace(["models", "-p", dir, "--json"]).json;
    return models;
  };

  for (const point of ["register:after-version", "register:after-alias"]) {
    it(`a run killed at ${point} is finished by the next run as if never interrupted`, async () => {
      const control = grownProject();
      const clean = millrace(["run", control, "--json"]);
      expect(clean.code, clean.out).toBe(0);

      const dir = grownProject();
      const killed = await runUntilExit(["run", dir, "--json"], { MILLRACE_FAILPOINT: point });
      expect(killed.signal, killed.out.slice(-2000)).toBe("SIGKILL");
      const rerun = millrace(["run", dir, "--json"]);
      expect(rerun.code, rerun.out).toBe(0);
      expect(rerun.json.model.version).toBe(2);
      expect(rerun.json.model.resumed).toBe(true);
      // The killed run's records said "running"; the rerun marked them failed, naming the dead process.
      expect(rerun.json.staleRuns).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "pipeline_run", reason: expect.stringMatching(/^process \d+ on .+ ended without finishing$/) })]));
      expect(rerun.json.model.promoted).toBe(clean.json.model.promoted);
      if (point === "register:after-version") {
        // Same models (seeded), same rows, same seeded bootstrap: the very same comparison.
        expect(rerun.json.model.comparison).toEqual(clean.json.model.comparison);
      }
      const a = state(control);
      const b = state(dir);
      const brief = (m: any) => (m.versions ?? m).map((v: any) => ({ version: v.version, aliases: v.aliases }));
      expect(brief(b)).toEqual(brief(a));
      // A third run has nothing left to do.
      const third = millrace(["run", dir, "--json"]);
      expect(third.code).toBe(0);
      expect(third.json.model).toBeUndefined();
    }, 400_000);
  }

  it("a run started while another holds the project is told it is busy; one dataset, one version", async () => {
    const dir = copyExample();
    dirs.push(dir);
    configure(dir);
    // The second starts once the first holds the lock (waiting on the lock file, not on a guess of the timing).
    const first = runUntilExit(["run", dir, "--json"], {});
    const lock = path.join(dir, ".millrace/run.lock");
    for (let i = 0; i < 600 && !fs.existsSync(lock); i++) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(lock)).toBe(true);
    const second = await runUntilExit(["run", dir, "--json"], {});
    const a = await first;
    expect(a.code, a.out.slice(-1000)).toBe(0);
    expect(second.code).toBe(1);
    expect(second.out).toContain("is already running a pipeline");
    const models = state(dir);
    expect((models.versions ?? models).length).toBe(1);
  }, 300_000);
});
