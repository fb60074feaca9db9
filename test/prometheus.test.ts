// Observability proven with a real Prometheus: it scrapes a live `millrace serve` of the churn example under traffic,
// feedback, alerts and pipeline runs, and every PromQL expression of the shipped Grafana dashboard and alert rules
// must return a finite value; `promtool check rules` passes and Prometheus loads the rules without error.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { requireServices } from "../src/store/test-helpers/services.js";
import { copyExample, millraceAsync, repoRoot, startServe } from "./cli.js";
import { freePort, prometheusMissing, startPrometheus, type RunningPrometheus } from "./prometheus-server.js";

const RULES = path.join(repoRoot, "deploy/prometheus/millrace-rules.yml");
const DASHBOARD = path.join(repoRoot, "src/serve/grafana-dashboard.json");
const TOKEN = "prom-t0ken";
const missing = prometheusMissing();
if (missing && !requireServices) console.warn(`skipping test/prometheus.test.ts: ${missing}`);

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ name: string; type: string; query: string }> };
}

/** What Grafana sends for "All" of each template variable. */
const expand = (expr: string) => expr.replaceAll("$job", ".*").replaceAll("$model", ".*");

/** An alert's signal: its expression without the final `<op> <number>` (every shipped rule is written that way). */
function alertSignal(expr: string): string | null {
  const m = /^(.*\S)\s*(>|<|>=|<=|==|!=)\s*-?[0-9.]+(e[+-]?\d+)?\s*$/s.exec(expr.trim());
  return m ? m[1] : null;
}

function ruleExpressions(): Array<{ name: string; expr: string }> {
  const doc = YAML.parse(fs.readFileSync(RULES, "utf8")) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert ?? r.record ?? "", expr: r.expr })));
}

const post = (url: string, body: unknown, auth = false) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${TOKEN}` } : {}) }, body: JSON.stringify(body) });

describe.skipIf(missing !== null && !requireServices)("Prometheus scraping a live millrace serve", () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  let prom: RunningPrometheus | undefined;
  let traffic: NodeJS.Timeout | undefined;
  afterAll(async () => {
    clearInterval(traffic);
    await prom?.stop();
    server?.proc.kill("SIGTERM");
  });

  it("promtool accepts the shipped alert rules", () => {
    expect(missing).toBeNull();
    const r = spawnSync("promtool", ["check", "rules", RULES], { encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("every dashboard query and alert signal returns data", async () => {
    expect(missing).toBeNull();
    const dir = copyExample("churn");
    const yaml = path.join(dir, "millrace.yaml");
    const closedPort = await freePort(); // nothing listens there: the alert webhook fails and is counted
    fs.writeFileSync(
      yaml,
      fs
        .readFileSync(yaml, "utf8")
        .replace(
          "monitor:\n  sample_rate: 1.0",
          [
            "monitor:\n  sample_rate: 1.0\n  check_every_s: 1\n  min_rows: 30\n  alerts:",
            `    - { name: slow, on: latency, threshold: 0.000001, cooldown_s: 0, actions: [metric, webhook], webhook: "http://127.0.0.1:${closedPort}/hook" }`,
          ].join("\n"),
        ),
    );
    const first = await millraceAsync(["run", dir, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    server = await startServe(dir, { MILLRACE_API_TOKEN: TOKEN });
    // A JSON error document from serve would parse too: say what it printed.
    expect(server.url, server.logs()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const target = new URL(server.url).host;
    prom = await startPrometheus({ job: "millrace", targets: [target], ruleFiles: [RULES] });

    // Steady, bounded traffic to 127.0.0.1 (4 requests/s for at most 2 minutes), so rates and quantiles move.
    const example = server.example;
    const ids: string[] = [];
    let sent = 0;
    const send = async () => {
      if (sent >= 480) return;
      sent++;
      const records = Array.from({ length: 5 }, (_, i) => ({ ...example, tenure: (sent * 5 + i) % 72, monthly_charges: 20 + ((sent * 7 + i) % 90) }));
      // One input out of the training range per request: scored and flagged.
      records[0] = { ...records[0], tenure: 500 };
      const res = await post(`${server!.url}/predict`, { records }).catch(() => null);
      if (res?.ok) ids.push(...(((await res.json()) as { ids: string[] }).ids));
    };
    traffic = setInterval(() => void send(), 250);
    const waitFor = async (what: string, cond: () => Promise<boolean>, ms = 60_000) => {
      const end = Date.now() + ms;
      while (!(await cond())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${server!.logs().slice(-3000)}\n${prom!.logs()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    await waitFor("60 served predictions", async () => ids.length >= 60);

    // Labels for served predictions → live metrics and decay.
    const fb = await post(`${server.url}/feedback`, { feedback: ids.slice(0, 60).map((id, i) => ({ id, label: i % 3 === 0 ? "Yes" : "No" })) }, true);
    expect(fb.status).toBe(200);

    // A retrain that finishes, then (once Prometheus has seen it) a run that fails a check: runs, durations and
    // check outcomes increase between scrapes.
    const retrain = await millraceAsync(["run", dir, "--json", "--retrain"]);
    expect(retrain.code, retrain.stderr).toBe(0);
    await waitFor("the retrain on /metrics", async () => (await prom!.query("millrace_pipeline_runs_total")).length > 0);
    const header = fs.readFileSync(path.join(dir, "data/landing/customers-2026-02.csv"), "utf8").split("\n")[0];
    const cols = header.split(",").map((c) => c.replaceAll('"', ""));
    const bad = [1, 2, 3].map((i) => cols.map((c) => (c === "customer_id" ? `"BAD${i}"` : c === "snapshot_date" ? '"2026-03-01"' : c === "churn" ? '"Maybe"' : /^(female|senior_citizen|partner|dependents|phone_service|paperless_billing|tenure)$/.test(c) ? "1" : /charges/.test(c) ? "50.5" : '"No"')).join(","));
    fs.writeFileSync(path.join(dir, "data/landing/customers-2026-03.csv"), [header, ...bad].join("\n") + "\n");
    const failing = await millraceAsync(["run", dir, "--json"]);
    expect(failing.code).toBe(1);
    await waitFor("the failed run on /metrics", async () => (await prom!.query('millrace_pipeline_runs_total{status="failed"}')).length > 0);

    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, "utf8")) as Dashboard;
    const queries = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `dashboard panel "${p.title}"`, expr: expand(t.expr) }))),
      ...ruleExpressions().map((r) => {
        const signal = alertSignal(r.expr);
        expect(signal, `rule ${r.name} is not written "<signal> <op> <number>"`).not.toBeNull();
        return { where: `alert ${r.name}`, expr: signal! };
      }),
    ];
    expect(queries.length).toBeGreaterThan(35);
    // Data arrives over a few scrapes and monitoring passes; wait until every query has a finite value, then report.
    let empty: string[] = [];
    const end = Date.now() + 60_000;
    do {
      empty = [];
      for (const q of queries) {
        const samples = await prom.query(q.expr);
        if (!samples.some((s) => Number.isFinite(Number(s.value[1])))) empty.push(`${q.where}: ${q.expr} → ${JSON.stringify(samples).slice(0, 200)}`);
      }
      if (empty.length === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    } while (Date.now() < end);
    expect(empty, server.logs().slice(-2000)).toEqual([]);

    // Template variables resolve to the scraped job and the served model.
    for (const v of dashboard.templating.list.filter((x) => x.type === "query")) {
      const m = /^label_values\((\w+), (\w+)\)$/.exec(v.query);
      expect(m, v.query).not.toBeNull();
      const values = (await prom.api(`label/${m![2]}/values?match[]=${encodeURIComponent(m![1])}`)) as string[];
      expect(values.length, v.name).toBeGreaterThan(0);
    }
    expect((await prom.api("label/job/values")) as string[]).toContain("millrace");
    expect((await prom.api("label/model/values?match[]=millrace_predictions_total")) as string[]).toContain("churn");

    // Prometheus loaded every rule and evaluates it without error.
    const groups = (await prom.api("rules")).groups as Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name).sort()).toEqual(ruleExpressions().map((r) => r.name).sort());
    expect(rules.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.health} ${r.lastError ?? ""}`)).toEqual([]);
    // The failed run is real, so its alert fires (pending or firing): the rule can fail, not only pass.
    const alerts = (await prom.api("alerts")).alerts as Array<{ labels: { alertname: string } }>;
    expect(alerts.map((a) => a.labels.alertname)).toContain("MillracePipelineFailed");
  }, 300_000);
});
