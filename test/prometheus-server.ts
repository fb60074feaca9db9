// Starts Debian's real Prometheus on 127.0.0.1 against given targets and rule files, and queries its HTTP API.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  query(expr: string): Promise<Sample[]>;
  /** GET /api/v1/<path> → data. */
  api(pathAndQuery: string): Promise<any>;
  logs(): string;
  stop(): Promise<void>;
}

/** Why Prometheus cannot run here, or null when `prometheus` and `promtool` are on the PATH. */
export function prometheusMissing(): string | null {
  for (const bin of ["prometheus", "promtool"]) {
    if (spawnSync(bin, ["--version"], { encoding: "utf8" }).status !== 0) return `${bin} is not installed (apt-get install -y prometheus)`;
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Scrapes every target each second and evaluates the rules each second, so a test sees data within seconds. */
export async function startPrometheus(opts: { job: string; targets: string[]; ruleFiles: string[] }): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-prom-"));
  const config = [
    "global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms }",
    `rule_files: [${opts.ruleFiles.map((f) => JSON.stringify(f)).join(", ")}]`,
    "scrape_configs:",
    `  - job_name: ${JSON.stringify(opts.job)}`,
    `    static_configs: [{ targets: [${opts.targets.map((t) => JSON.stringify(t)).join(", ")}] }]`,
  ].join("\n");
  fs.writeFileSync(path.join(dir, "prometheus.yml"), config + "\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(
    "prometheus",
    [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  proc.stderr!.on("data", (d) => (log = (log + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited ${proc.exitCode}: ${log}`);
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`prometheus not ready after 30 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async (p: string) => {
    const res = await fetch(`${url}/api/v1/${p}`);
    const body = (await res.json()) as { status: string; data: any; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${p}: ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    url,
    api,
    query: async (expr) => (await api(`query?query=${encodeURIComponent(expr)}`)).result as Sample[],
    logs: () => log,
    stop: async () => {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
