// `millrace watch` runs the pipeline when a new landing file settles, and not again until another one arrives.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const cli = path.resolve(import.meta.dirname, "../dist/cli/main.js");

describe("millrace watch", () => {
  it("ingests files as they arrive and runs the pipeline once per arrival", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-watch-")), "w");
    const init = spawn(process.execPath, [cli, "init", dir]);
    await new Promise((r) => init.on("exit", r));
    const yaml = path.join(dir, "millrace.yaml");
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace("cv_folds: 5", "cv_folds: 0"));
    const proc = spawn(process.execPath, [cli, "watch", dir, "--interval", "0.2", "--settle", "0.3", "--json"], { env: { ...process.env, NO_COLOR: "1" } });
    const summaries: any[] = [];
    let buf = "";
    proc.stdout.on("data", (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        summaries.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    const waitFor = async (n: number) => {
      for (let i = 0; i < 300 && summaries.length < n; i++) await new Promise((r) => setTimeout(r, 100));
      expect(summaries.length).toBeGreaterThanOrEqual(n);
    };
    try {
      await waitFor(1);
      expect(summaries[0].ingest[0]).toMatchObject({ version: 1, rowsOut: 400 });
      expect(summaries[0].trigger).toBe("file");
      // init's sample is a source of its own (data/sample/): more files for it land there.
      const sample = fs.readFileSync(path.join(dir, "data/sample/sample.csv"), "utf8").trim().split("\n");
      // Written under a .part name and renamed, as landing writers should, so a half-written file is never read.
      const part = path.join(dir, "data/sample/more.csv.part");
      fs.writeFileSync(part, [sample[0], ...sample.slice(1, 51)].join("\n") + "\n");
      fs.renameSync(part, path.join(dir, "data/sample/more.csv"));
      await waitFor(2);
      expect(summaries[1].ingest[0]).toMatchObject({ version: 2, rowsOut: 50 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(summaries).toHaveLength(2);
    } finally {
      proc.kill("SIGTERM");
    }
  });
});
