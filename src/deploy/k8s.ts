// Plain Kubernetes objects for `millrace serve`: ConfigMap, Deployment (probes, non-root), Service, HPA (CPU and request
// rate), PodDisruptionBudget, ServiceMonitor, PrometheusRule and the Grafana dashboard as a sidecar-loaded ConfigMap.
// Typed with kubernetes-models (type-only, so the build needs it and the published code does not): a misspelt field
// fails `tsc`, and the tests validate every object against the same pinned schemas.
import fs from "node:fs";
import path from "node:path";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IService } from "kubernetes-models/v1/Service";
import type { IContainer as Container } from "kubernetes-models/v1/Container";
import type { IEnvVar as EnvVar } from "kubernetes-models/v1/EnvVar";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import YAML from "yaml";
import { packageRoot } from "./app-package.js";
import { PROJECT_DIR, serveCommand, type ModelMode } from "./dockerfile.js";
import { dnsName, type DeployFacts } from "./facts.js";

export interface K8sOptions {
  image: string;
  mode: ModelMode;
  replicas: number;
  maxReplicas: number;
  /** Requests per second per pod above which the HPA adds pods (needs a custom-metrics adapter, see the header). */
  targetRps: number;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
}

/** Secret keys the pods read when present (the Secret itself is the operator's: its values never enter these files). */
export const SECRET_KEYS: Array<{ env: string; key: string; requiredWhenRegistry: boolean }> = [
  { env: "MILLRACE_API_TOKEN", key: "api-token", requiredWhenRegistry: false },
  { env: "MILLRACE_METADATA_URL", key: "metadata-url", requiredWhenRegistry: true },
  { env: "MILLRACE_ARTIFACTS_URL", key: "artifacts-url", requiredWhenRegistry: true },
  { env: "MILLRACE_S3_ENDPOINT", key: "s3-endpoint", requiredWhenRegistry: false },
  { env: "AWS_ACCESS_KEY_ID", key: "aws-access-key-id", requiredWhenRegistry: false },
  { env: "AWS_SECRET_ACCESS_KEY", key: "aws-secret-access-key", requiredWhenRegistry: false },
];

export const names = (f: DeployFacts) => {
  const base = `${dnsName(f.name)}-serve`;
  return { base, config: `${base}-config`, secret: `${base}-secrets`, dashboard: `${base}-grafana-dashboard` };
};

export function selectorLabels(f: DeployFacts): Record<string, string> {
  return { "app.kubernetes.io/name": "millrace-serve", "app.kubernetes.io/instance": dnsName(f.name) };
}

/** Selector labels plus what changes from release to release (never in a selector: selectors are immutable). */
function podLabels(f: DeployFacts, mode: ModelMode): Record<string, string> {
  return {
    ...selectorLabels(f),
    "app.kubernetes.io/part-of": "millrace",
    "app.kubernetes.io/component": "predictor",
    "app.kubernetes.io/version": f.millraceVersion,
    "millrace.dev/model": dnsName(f.model),
    ...(f.version && mode === "baked" ? { "millrace.dev/model-version": String(f.version.version) } : {}),
  };
}

export function secretEnv(f: DeployFacts, mode: ModelMode): EnvVar[] {
  const secret = names(f).secret;
  return SECRET_KEYS.map((s) => ({ name: s.env, valueFrom: { secretKeyRef: { name: secret, key: s.key, optional: !(mode === "registry" && s.requiredWhenRegistry) } } }));
}

/** The serving container; KServe's runtime uses the same command, port and environment. */
export function serveContainer(f: DeployFacts, opts: Pick<K8sOptions, "image" | "mode">, name: string): Container {
  const cmd = serveCommand(f.port);
  return {
    name,
    image: opts.image,
    command: cmd.entrypoint,
    args: cmd.cmd,
    ports: [{ name: "http", containerPort: f.port, protocol: "TCP" }],
    env: [{ name: "NODE_ENV", value: "production" }, ...secretEnv(f, opts.mode)],
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, capabilities: { drop: ["ALL"] } },
  };
}

export function renderK8s(f: DeployFacts, opts: K8sOptions, millraceYaml: string): Array<{ file: string; object: K8sObject }> {
  const n = names(f);
  const labels = podLabels(f, opts.mode);
  const common = { ...selectorLabels(f), "app.kubernetes.io/part-of": "millrace" };
  const configMap: IConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: n.config, labels: common }, data: { "millrace.yaml": millraceYaml } };
  const container = serveContainer(f, opts, "serve");
  // Liveness: with the model baked in, a server without one is broken (restart it); fetched from a registry, "no
  // version holds the alias yet" is a state to wait out, not a reason to restart, so only the process is checked.
  const livePath = opts.mode === "baked" ? "/health" : "/v2/health/live";
  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: n.base, labels },
    spec: {
      replicas: opts.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(f) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(f.port), "prometheus.io/path": "/metrics" } },
        spec: {
          // Draining: the server turns /ready false on SIGTERM and lets in-flight requests finish.
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              ...container,
              readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
              livenessProbe: { httpGet: { path: livePath, port: "http" }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 },
              startupProbe: { httpGet: { path: "/v2/health/live", port: "http" }, periodSeconds: 2, failureThreshold: 60 },
              volumeMounts: [{ name: "config", mountPath: `${PROJECT_DIR}/millrace.yaml`, subPath: "millrace.yaml", readOnly: true }],
            },
          ],
          volumes: [{ name: "config", configMap: { name: n.config } }],
        },
      },
    },
  };
  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: n.base, labels: common },
    spec: { type: "ClusterIP", selector: selectorLabels(f), ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
  };
  const hpa: IHorizontalPodAutoscaler = {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: n.base, labels: common },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: n.base },
      minReplicas: opts.replicas,
      maxReplicas: opts.maxReplicas,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
        // Served by a custom-metrics adapter (prometheus-adapter) from rate(millrace_http_requests_total[1m]) per pod.
        { type: "Pods", pods: { metric: { name: "millrace_http_requests_per_second" }, target: { type: "AverageValue", averageValue: String(opts.targetRps) } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
    },
  };
  const pdb: IPodDisruptionBudget = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: n.base, labels: common },
    spec: { minAvailable: 1, selector: { matchLabels: selectorLabels(f) } },
  };
  const serviceMonitor: IServiceMonitor = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: n.base, labels: common },
    spec: { selector: { matchLabels: selectorLabels(f) }, endpoints: [{ port: "http", path: "/metrics", interval: "15s" }] },
  };
  const rules = YAML.parse(fs.readFileSync(path.join(packageRoot, "deploy/prometheus/millrace-rules.yml"), "utf8")) as IPrometheusRule["spec"];
  const prometheusRule: IPrometheusRule = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: n.base, labels: common }, spec: rules };
  // Grafana's dashboard sidecar loads ConfigMaps labelled grafana_dashboard=1.
  const dashboard: IConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: n.dashboard, labels: { ...common, grafana_dashboard: "1" } },
    data: { "millrace.json": fs.readFileSync(path.join(packageRoot, "src/serve/grafana-dashboard.json"), "utf8") },
  };
  return [
    { file: "configmap.yaml", object: configMap },
    { file: "deployment.yaml", object: deployment },
    { file: "service.yaml", object: service },
    { file: "hpa.yaml", object: hpa },
    { file: "pdb.yaml", object: pdb },
    { file: "servicemonitor.yaml", object: serviceMonitor },
    { file: "prometheusrule.yaml", object: prometheusRule },
    { file: "grafana-dashboard.yaml", object: dashboard },
  ];
}
