// The Grafana dashboard and the code must use exactly the same metric names, and the dashboard must be valid JSON.
import { readFileSync } from "node:fs";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { monitorMetrics } from "../monitor/metrics.js";
import { serveMetrics } from "./metrics.js";

const dashboard = JSON.parse(readFileSync(new URL("./grafana-dashboard.json", import.meta.url), "utf8")) as {
  panels: Array<{ type: string; targets?: Array<{ expr: string }> }>;
};

describe("grafana-dashboard.json", () => {
  it("queries every metric the server and monitor export, and no other", async () => {
    const registry = new Registry();
    serveMetrics(registry);
    monitorMetrics(registry);
    const defined = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set<string>();
    for (const p of dashboard.panels) for (const t of p.targets ?? []) for (const m of t.expr.matchAll(/millrace_[a-z0-9_]+/g)) used.add(m[0].replace(/_(bucket|sum|count)$/, ""));
    expect([...used].filter((n) => !defined.has(n))).toEqual([]);
    expect([...defined].filter((n) => !used.has(n))).toEqual([]);
  });

  it("has panels with queries", () => {
    const withQueries = dashboard.panels.filter((p) => p.type !== "row");
    expect(withQueries.length).toBeGreaterThan(15);
    expect(withQueries.every((p) => (p.targets ?? []).length > 0)).toBe(true);
  });
});
