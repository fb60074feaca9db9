// The whole loop on the churn example with the real pipeline: serve v1 → new labelled data lands and traffic
// shifts → the server's drift check fires the alert → the alert retrains → the gate compares with production on
// the same test rows → v2 is promoted → the server hot-swaps to v2 without a restart.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample, millrace, startServe } from "./cli.js";

const csvLine = (cells: string[]) => cells.join(",");

describe("serve → drift → alert → retrain → gate → promote → served", () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  afterAll(() => server?.proc.kill("SIGTERM"));

  it("closes the loop", async () => {
    const dir = copyExample("churn");
    const yaml = path.join(dir, "millrace.yaml");
    fs.writeFileSync(
      yaml,
      fs
        .readFileSync(yaml, "utf8")
        .replace("serve:\n  port: 8080", "serve:\n  port: 8080\n  reload_s: 0.5")
        .replace(
          "monitor:\n  sample_rate: 1.0",
          "monitor:\n  sample_rate: 1.0\n  check_every_s: 1\n  min_rows: 100\n  alerts:\n    - { name: input_drift, on: drift, threshold: 0.2, actions: [log, metric, retrain] }",
        ),
    );
    const first = millrace(["run", dir, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.model).toMatchObject({ version: 1, promoted: true });

    // March: a segment v1 has never seen churn in — long-tenure, cheap, mailed-check customers now leave.
    const lines = fs.readFileSync(path.join(dir, "data/landing/customers-2026-01.csv"), "utf8").trim().split("\n");
    const header = lines[0].split(",").map((h) => h.replaceAll('"', ""));
    const col = (name: string) => header.indexOf(name);
    const march: string[] = [lines[0]];
    const shifted: Record<string, unknown>[] = [];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 1; i <= 3000; i++) {
      const cells = lines[1 + ((i * 7) % (lines.length - 1))].split(",");
      cells[col("customer_id")] = `"N${String(i).padStart(5, "0")}"`;
      cells[col("snapshot_date")] = '"2026-03-01"';
      cells[col("tenure")] = String(40 + (i % 30));
      cells[col("payment_method")] = '"Mailed check"';
      cells[col("contract")] = '"Month-to-month"';
      cells[col("monthly_charges")] = String(20 + (i % 10));
      cells[col("total_charges")] = String((20 + (i % 10)) * (40 + (i % 30)));
      cells[col("churn")] = rand() < 0.75 ? '"Yes"' : '"No"';
      march.push(csvLine(cells));
    }
    server = await startServe(dir);
    const example = server.example;
    expect(example).toBeTruthy();
    for (const line of march.slice(1, 601)) {
      const cells = line.split(",");
      const rec: Record<string, unknown> = { ...example };
      for (const k of Object.keys(example)) {
        const raw = cells[col(k)];
        if (raw === undefined) continue;
        rec[k] = raw.startsWith('"') ? raw.replaceAll('"', "") : raw === "" ? null : Number(raw);
      }
      shifted.push(rec);
    }
    // The new labelled data lands before the alert asks for retraining.
    fs.writeFileSync(path.join(dir, "data/landing/customers-2026-03.csv"), march.join("\n") + "\n");
    for (let i = 0; i < 600; i += 100) {
      const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: shifted.slice(i, i + 100) }) });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-millrace-version")).toBe("1");
    }

    // The server checks drift every second, fires the alert, retrains in a child process; v2 must get served.
    let version = 1;
    for (let i = 0; i < 240 && version === 1; i++) {
      await new Promise((r) => setTimeout(r, 500));
      version = ((await (await fetch(`${server.url}/health`)).json()) as any).model?.version ?? 1;
    }
    expect(version, server.logs()).toBe(2);
    const runs = millrace(["pipeline", "runs", "-p", dir, "--json"]).json;
    expect(runs.map((r: any) => r.trigger)).toContain("alert");
    const models = millrace(["models", "-p", dir, "--json"]).json;
    expect(models.find((m: any) => m.version === 2).aliases).toContain("production");
    const history = millrace(["models", "history", "churn", "-p", dir, "--json"]).json;
    expect(history.at(-1)).toMatchObject({ fromVersion: 1, toVersion: 2, actor: "pipeline" });
    expect(history.at(-1).reason).toMatch(/roc_auc [\d.]+ vs production v1 [\d.]+ on \d+ test rows neither model trained on/);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/millrace_alerts_total\{rule="input_drift",kind="drift",model="churn"\} 1/);
    expect(metrics).toMatch(/millrace_drift_share\{model="churn",version="1"\} 0\.[2-9]/);
    const res = await fetch(`${server.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [shifted[0]] }) });
    expect(((await res.json()) as any).provenance.version).toBe(2);
  }, 180_000);
});
