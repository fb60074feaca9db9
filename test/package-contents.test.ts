// The published package carries what deployments read at run time: the Grafana dashboard, the Prometheus alert rules
// and the deploy commands (checked on `npm pack --dry-run --json`), and not the test-only vendored schemas.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./cli.js";

describe("npm pack", () => {
  it("contains the dashboard JSON, the alert rules and the deploy code", () => {
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const files = new Set((JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path));
    for (const f of [
      "src/serve/grafana-dashboard.json",
      "deploy/prometheus/millrace-rules.yml",
      "dist/deploy/k8s.js",
      "dist/deploy/compose.js",
      "dist/deploy/image.js",
      "dist/cli/commands/deploy.js",
      "dist/serve/process-metrics.js",
    ]) {
      expect(files.has(f), f).toBe(true);
    }
    expect([...files].filter((f) => f.startsWith("deploy/schemas/"))).toEqual([]);
    expect([...files].filter((f) => f.startsWith("src/") && f !== "src/serve/grafana-dashboard.json")).toEqual([]);
  });
});
