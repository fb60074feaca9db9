// `millrace deploy compose` on examples/churn: compose.yaml validates against the vendored Compose Specification
// schema, holds the whole scale-out stack wired together, and Prometheus' own promtool accepts its scrape config.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { requireServices } from "../src/store/test-helpers/services.js";
import { copyExample, millraceAsync, repoRoot } from "./cli.js";
import { prometheusMissing } from "./prometheus-server.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

describe("millrace deploy compose", () => {
  let out: string;
  let compose: any;
  let result: any;

  beforeAll(async () => {
    const dir = copyExample("churn");
    out = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-compose-"));
    const r = await millraceAsync(["deploy", "compose", "-p", dir, "--out", out, "--replicas", "3", "--workers", "2", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    result = r.json;
    compose = YAML.parse(fs.readFileSync(path.join(out, "compose.yaml"), "utf8"));
  }, 120_000);

  it("validates against the Compose Specification schema", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "deploy/schemas/compose/compose-spec.json"), "utf8"));
    // The schema names its meta-schema by an https URL Ajv does not know as draft-07; it is draft-07 all the same.
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // The schema can fail: an unknown service key is refused.
    expect(validate({ services: { serve: { imagee: "x" } } })).toBe(false);
  });

  it("holds the scale-out stack, wired to each other", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["grafana", "minio", "minio-init", "postgres", "prometheus", "proxy", "redis", "scheduler", "serve", "worker"]);
    const s = compose.services;
    expect(s.serve.deploy.replicas).toBe(3);
    expect(s.worker.deploy.replicas).toBe(2);
    expect(s.worker.command).toEqual(["worker", "/app/project"]);
    expect(s.scheduler.command[0]).toBe("watch");
    for (const name of ["serve", "worker", "scheduler"]) {
      expect(s[name].build.context).toBe("./image");
      expect(s[name].environment.MILLRACE_METADATA_URL).toMatch(/^postgres:\/\/millrace:.*@postgres:5432\/millrace$/);
      expect(s[name].environment.MILLRACE_ARTIFACTS_URL).toBe("s3://millrace/artifacts");
      expect(s[name].environment.MILLRACE_S3_ENDPOINT).toBe("http://minio:9000");
      expect(s[name].environment.MILLRACE_REDIS_URL).toBe("redis://redis:6379");
      expect(s[name].environment.MILLRACE_EXECUTOR).toBe("bullmq");
      expect(s[name].volumes).toContain("lake:/app/project/.millrace/lake");
      for (const dep of Object.keys(s[name].depends_on)) expect(Object.keys(s)).toContain(dep);
    }
    // Every named volume used is declared.
    for (const svc of Object.values<any>(s)) {
      for (const v of svc.volumes ?? []) if (!v.startsWith("./")) expect(Object.keys(compose.volumes)).toContain(v.split(":")[0]);
    }
    // The proxy forwards to the serve replicas on the port the image's server listens on.
    const nginx = fs.readFileSync(path.join(out, "proxy/nginx.conf"), "utf8");
    const dockerfile = fs.readFileSync(path.join(out, "image/Dockerfile"), "utf8");
    const port = /"--port","(\d+)"/.exec(dockerfile)![1];
    expect(nginx).toContain(`http://serve:${port}`);
    expect(s.serve.expose).toEqual([port]);
    // The image fetches the model from the stores at start: no registry snapshot inside.
    expect(result.files.some((f: string) => f.includes("meta.db"))).toBe(false);
    expect(dockerfile).toMatch(/MILLRACE_METADATA_URL/);
    // Prometheus gets the shipped rules, Grafana the shipped dashboard and a Prometheus datasource.
    expect(fs.readFileSync(path.join(out, "prometheus/millrace-rules.yml"), "utf8")).toBe(fs.readFileSync(path.join(repoRoot, "deploy/prometheus/millrace-rules.yml"), "utf8"));
    expect(fs.readFileSync(path.join(out, "grafana/dashboards/millrace.json"), "utf8")).toBe(fs.readFileSync(path.join(repoRoot, "src/serve/grafana-dashboard.json"), "utf8"));
    const ds = YAML.parse(fs.readFileSync(path.join(out, "grafana/provisioning/datasources/prometheus.yaml"), "utf8"));
    expect(ds.datasources[0]).toMatchObject({ type: "prometheus", url: "http://prometheus:9090" });
    const prom = YAML.parse(fs.readFileSync(path.join(out, "prometheus/prometheus.yml"), "utf8"));
    expect(prom.scrape_configs[0].dns_sd_configs[0]).toMatchObject({ names: ["serve"], port: Number(port) });
  });

  const missing = prometheusMissing();
  it.skipIf(missing !== null && !requireServices)("promtool accepts the Prometheus configuration with its rules", () => {
    // The config names the rules where the container mounts them; point it at the written copy here.
    const local = path.join(out, "prometheus/prometheus.local.yml");
    fs.writeFileSync(local, fs.readFileSync(path.join(out, "prometheus/prometheus.yml"), "utf8").replaceAll("/etc/prometheus/", `${path.join(out, "prometheus")}/`));
    const r = spawnSync("promtool", ["check", "config", local], { encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: 11 rules found/);
  });
});
