// `millrace deploy compose`: the scale-out stack as one compose.yaml — PostgreSQL, Redis, MinIO, N `millrace serve`
// replicas behind nginx, `millrace worker`s, the scheduler (`millrace watch`), Prometheus with the shipped rules and
// Grafana with the dashboard provisioned — plus the image context (registry mode) the millrace services build from.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { ValidationError } from "../errors.js";
import type { Project } from "../project/load-project.js";
import { packageRoot } from "./app-package.js";
import { PROJECT_DIR } from "./dockerfile.js";
import { CONTAINER_PORT, dnsName } from "./facts.js";
import { writeImageContext } from "./image.js";

export interface ComposeOptions {
  out: string;
  replicas?: number;
  workers?: number;
  /** Host port of the proxy in front of the serve replicas. */
  port?: number;
}

export interface ComposeResult {
  out: string;
  files: string[];
  services: string[];
  replicas: number;
  workers: number;
}

/** Pinned images of the services Millrace uses (Prometheus as on the Debian machines the tests run). */
export const IMAGES = {
  postgres: "postgres:16-bookworm",
  redis: "redis:7-bookworm",
  minio: "minio/minio:RELEASE.2025-04-22T22-12-26Z",
  mc: "minio/mc:RELEASE.2025-04-16T18-13-26Z",
  proxy: "nginx:1.27-bookworm",
  prometheus: "prom/prometheus:v2.42.0",
  grafana: "grafana/grafana:11.1.0",
};

const PG = "postgres://millrace:${MILLRACE_PG_PASSWORD:-millrace}@postgres:5432/millrace";

export async function writeCompose(project: Project, opts: ComposeOptions): Promise<ComposeResult> {
  const replicas = opts.replicas ?? 2;
  const workers = opts.workers ?? 1;
  const port = opts.port ?? 8080;
  for (const [flag, v, min] of [["--replicas", replicas, 1], ["--workers", workers, 0], ["--port", port, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new ValidationError(`${flag} ${v}: give a whole number ≥ ${min}`, { path: flag });
  }
  const out = path.resolve(opts.out);
  fs.mkdirSync(out, { recursive: true });
  // The millrace services share one image that resolves the served alias in PostgreSQL / MinIO at start.
  const image = await writeImageContext(project, { out: path.join(out, "image"), mode: "registry", build: false });
  const name = dnsName(project.config.name);
  const bucket = "millrace";

  const millraceEnv = {
    MILLRACE_METADATA_URL: PG,
    MILLRACE_ARTIFACTS_URL: `s3://${bucket}/artifacts`,
    MILLRACE_S3_ENDPOINT: "http://minio:9000",
    AWS_ACCESS_KEY_ID: "${MINIO_ROOT_USER:-millrace}",
    AWS_SECRET_ACCESS_KEY: "${MINIO_ROOT_PASSWORD:-millrace-secret}",
    AWS_REGION: "us-east-1",
    MILLRACE_EXECUTOR: "bullmq",
    MILLRACE_REDIS_URL: "redis://redis:6379",
    // The stack listens beyond localhost: compose refuses to start until a token is set (.env.example shows where).
    MILLRACE_API_TOKEN: "${MILLRACE_API_TOKEN:?set MILLRACE_API_TOKEN in .env or the environment}",
  };
  const millraceService = (extra: Record<string, unknown>) => ({
    build: { context: "./image" },
    image: image.tag,
    environment: millraceEnv,
    // Workers and the scheduler open the lake at the same path as every server (DESIGN: one shared lake folder).
    volumes: [`lake:${PROJECT_DIR}/.millrace/lake`, `landing:${PROJECT_DIR}/data/landing`],
    depends_on: { postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" }, "minio-init": { condition: "service_completed_successfully" } },
    restart: "unless-stopped",
    ...extra,
  });

  const compose = {
    name,
    services: {
      postgres: {
        image: IMAGES.postgres,
        environment: { POSTGRES_USER: "millrace", POSTGRES_PASSWORD: "${MILLRACE_PG_PASSWORD:-millrace}", POSTGRES_DB: "millrace" },
        volumes: ["pgdata:/var/lib/postgresql/data"],
        healthcheck: { test: ["CMD-SHELL", "pg_isready -U millrace -d millrace"], interval: "5s", timeout: "3s", retries: 20 },
      },
      redis: {
        image: IMAGES.redis,
        // BullMQ needs keys kept: no eviction.
        command: ["redis-server", "--appendonly", "yes", "--maxmemory-policy", "noeviction"],
        volumes: ["redis:/data"],
        healthcheck: { test: ["CMD", "redis-cli", "ping"], interval: "5s", timeout: "3s", retries: 20 },
      },
      minio: {
        image: IMAGES.minio,
        command: ["server", "/data", "--console-address", ":9001"],
        environment: { MINIO_ROOT_USER: "${MINIO_ROOT_USER:-millrace}", MINIO_ROOT_PASSWORD: "${MINIO_ROOT_PASSWORD:-millrace-secret}" },
        volumes: ["minio:/data"],
        healthcheck: { test: ["CMD", "mc", "ready", "local"], interval: "5s", timeout: "3s", retries: 20 },
      },
      "minio-init": {
        image: IMAGES.mc,
        depends_on: { minio: { condition: "service_healthy" } },
        environment: { MINIO_ROOT_USER: "${MINIO_ROOT_USER:-millrace}", MINIO_ROOT_PASSWORD: "${MINIO_ROOT_PASSWORD:-millrace-secret}" },
        entrypoint: ["/bin/sh", "-c", `mc alias set local http://minio:9000 "$$MINIO_ROOT_USER" "$$MINIO_ROOT_PASSWORD" && mc mb --ignore-existing local/${bucket}`],
      },
      serve: millraceService({
        deploy: { replicas, update_config: { parallelism: 1, order: "start-first" } },
        expose: [String(CONTAINER_PORT)],
      }),
      proxy: {
        image: IMAGES.proxy,
        ports: [`${port}:80`],
        volumes: ["./proxy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"],
        depends_on: { serve: { condition: "service_started" } },
        restart: "unless-stopped",
      },
      worker: millraceService({ command: ["worker", PROJECT_DIR], deploy: { replicas: workers } }),
      // Millrace has no cron of its own yet: `millrace watch` runs the pipeline when landing files settle and hourly.
      scheduler: millraceService({ command: ["watch", PROJECT_DIR, "--every", "3600"] }),
      prometheus: {
        image: IMAGES.prometheus,
        command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
        volumes: ["./prometheus:/etc/prometheus:ro", "prometheus:/prometheus"],
        ports: ["9090:9090"],
        depends_on: { serve: { condition: "service_started" } },
      },
      grafana: {
        image: IMAGES.grafana,
        environment: { GF_SECURITY_ADMIN_PASSWORD: "${GRAFANA_ADMIN_PASSWORD:-admin}", GF_USERS_ALLOW_SIGN_UP: "false" },
        volumes: ["./grafana/provisioning:/etc/grafana/provisioning:ro", "./grafana/dashboards:/var/lib/grafana/dashboards:ro", "grafana:/var/lib/grafana"],
        ports: ["3000:3000"],
        depends_on: { prometheus: { condition: "service_started" } },
      },
    },
    volumes: { pgdata: {}, redis: {}, minio: {}, lake: {}, landing: {}, prometheus: {}, grafana: {} },
  };

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    fs.writeFileSync(path.join(out, rel), text);
  };
  write("compose.yaml", `# Generated by \`millrace deploy compose\` for project ${project.config.name}: docker compose up -d --build\n` + YAML.stringify(compose, { lineWidth: 0, aliasDuplicateObjects: false }));
  write("proxy/nginx.conf", nginxConf());
  write("prometheus/prometheus.yml", YAML.stringify(prometheusConfig(), { lineWidth: 0 }));
  fs.copyFileSync(path.join(packageRoot, "deploy/prometheus/millrace-rules.yml"), path.join(out, "prometheus/millrace-rules.yml"));
  write("grafana/provisioning/datasources/prometheus.yaml", YAML.stringify({ apiVersion: 1, datasources: [{ name: "Prometheus", uid: "prometheus", type: "prometheus", access: "proxy", url: "http://prometheus:9090", isDefault: true }] }));
  write("grafana/provisioning/dashboards/millrace.yaml", YAML.stringify({ apiVersion: 1, providers: [{ name: "millrace", folder: "Millrace", type: "file", options: { path: "/var/lib/grafana/dashboards" } }] }));
  fs.mkdirSync(path.join(out, "grafana/dashboards"), { recursive: true });
  fs.copyFileSync(path.join(packageRoot, "src/serve/grafana-dashboard.json"), path.join(out, "grafana/dashboards/millrace.json"));
  write(".env.example", "# Copy to .env and change every value.\nMILLRACE_API_TOKEN=change-me\nMILLRACE_PG_PASSWORD=change-me\nMINIO_ROOT_USER=millrace\nMINIO_ROOT_PASSWORD=change-me-too\nGRAFANA_ADMIN_PASSWORD=change-me\n");
  const files = ["compose.yaml", ".env.example", "proxy/nginx.conf", "prometheus/prometheus.yml", "prometheus/millrace-rules.yml", "grafana/provisioning/datasources/prometheus.yaml", "grafana/provisioning/dashboards/millrace.yaml", "grafana/dashboards/millrace.json", ...image.files.map((f) => `image/${f}`)];
  return { out, files: files.sort(), services: Object.keys(compose.services), replicas, workers };
}

/** Every serve replica scraped on its own: compose's DNS answers one A record per replica. */
export function prometheusConfig(): object {
  return {
    global: { scrape_interval: "15s", evaluation_interval: "15s" },
    rule_files: ["/etc/prometheus/millrace-rules.yml"],
    scrape_configs: [{ job_name: "millrace", metrics_path: "/metrics", dns_sd_configs: [{ names: ["serve"], type: "A", port: CONTAINER_PORT, refresh_interval: "15s" }] }],
  };
}

function nginxConf(): string {
  return [
    "# Round-robin over every serve replica: Docker's DNS (127.0.0.11) is asked again every 10 s, so scaled replicas join.",
    "resolver 127.0.0.11 valid=10s ipv6=off;",
    "server {",
    "  listen 80;",
    "  client_max_body_size 16m;",
    "  location / {",
    `    set $upstream http://serve:${CONTAINER_PORT};`,
    "    proxy_pass $upstream;",
    "    proxy_http_version 1.1;",
    "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "    proxy_next_upstream error timeout http_503;",
    "  }",
    "}",
    "",
  ].join("\n");
}
