// kill -9 of `millrace scheduler` in the middle of a scheduled run: the restarted scheduler marks the orphaned run
// failed (its process is gone), closes the tick with that outcome, and does not start the tick again.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, copyExample, millrace } from "../../../test/cli.js";

describe("a scheduler killed mid-run", { timeout: 300_000 }, () => {
  it("is restarted without starting the tick twice, and the orphaned run is marked failed", async () => {
    const dir = copyExample();
    // Yearly: the latest due tick is fixed, so only a second start of the same tick could make a second run.
    fs.appendFileSync(path.join(dir, "millrace.yaml"), '\nschedule: "0 0 1 1 *"\ntimezone: UTC\n');
    const child = spawn(process.execPath, [cli, "scheduler", dir], { env: { ...process.env, NO_COLOR: "1" }, stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    let runId = "";
    for (let i = 0; i < 1200 && !runId; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const running = millrace(["pipeline", "runs", "-p", dir, "--json"]).json?.find?.((r: any) => r.status === "running");
      if (running && millrace(["logs", running.id, "-p", dir, "--json"]).json.lines.some((l: any) => l.taskId.startsWith("transform:"))) runId = running.id;
    }
    expect(runId).not.toBe("");
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const restarted = millrace(["scheduler", dir, "--once", "--json"]);
    expect(restarted.code, restarted.out).toBe(0);
    expect(restarted.json.fired).toEqual([]);
    const runs = millrace(["pipeline", "runs", "-p", dir, "--json"]).json;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: runId, trigger: "schedule", status: "failed" });
    expect(runs[0].error).toMatch(/ended without finishing/);
    // Once more: still one run.
    expect(millrace(["scheduler", dir, "--once", "--json"]).json.fired).toEqual([]);
    expect(millrace(["pipeline", "runs", "-p", dir, "--json"]).json).toHaveLength(1);
  });
});
