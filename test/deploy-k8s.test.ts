// `millrace deploy k8s` on examples/churn: every rendered object validates against the pinned Kubernetes,
// prometheus-operator and KServe schemas, and the objects agree with each other (selectors, ports, probes, targets).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { copyExample, millraceAsync, repoRoot } from "./cli.js";
import { schemaProblems } from "./k8s-schemas.js";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: any; data?: Record<string, string> };

function readAll(dir: string): Array<{ file: string; doc: any }> {
  const out: Array<{ file: string; doc: any }> = [];
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith(".yaml")) continue;
    const file = path.relative(dir, path.join(e.parentPath, e.name));
    for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) out.push({ file, doc: d.toJS() });
  }
  return out;
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe("millrace deploy k8s", () => {
  let dir: string;
  let out: string;
  let docs: Array<{ file: string; doc: any }>;
  const one = (kind: string, name?: string) => {
    const found = docs.filter((d) => d.doc.kind === kind && (name === undefined || d.doc.metadata?.name === name));
    expect(found.length, `${kind} ${name ?? ""}`).toBe(1);
    return found[0].doc as Obj;
  };

  beforeAll(async () => {
    dir = copyExample("churn");
    const run = await millraceAsync(["run", dir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    out = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-k8s-"));
    const r = await millraceAsync(["deploy", "k8s", "-p", dir, "--out", out, "--image", "registry.example/churn-serve:v1", "--canary-percent", "10", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.objects.length).toBe(10);
    docs = readAll(out);
  }, 120_000);

  it("writes one object per file, a kustomization listing them, and the KServe pair apart", () => {
    const kinds = docs.filter((d) => d.doc.kind !== "Kustomization").map((d) => `${d.file} ${d.doc.kind}`).sort();
    expect(kinds).toEqual([
      "configmap.yaml ConfigMap",
      "deployment.yaml Deployment",
      "grafana-dashboard.yaml ConfigMap",
      "hpa.yaml HorizontalPodAutoscaler",
      "kserve/clusterservingruntime.yaml ClusterServingRuntime",
      "kserve/inferenceservice.yaml InferenceService",
      "pdb.yaml PodDisruptionBudget",
      "prometheusrule.yaml PrometheusRule",
      "service.yaml Service",
      "servicemonitor.yaml ServiceMonitor",
    ]);
    for (const k of docs.filter((d) => d.doc.kind === "Kustomization")) {
      const base = path.dirname(k.file);
      const listed = (k.doc.resources as string[]).map((r) => path.join(base, r)).sort();
      const present = docs.filter((d) => d.doc.kind !== "Kustomization" && path.dirname(d.file) === base).map((d) => d.file).sort();
      expect(listed).toEqual(present);
    }
  });

  it("validates every object against the pinned schemas", async () => {
    const problems = (await Promise.all(docs.filter((d) => d.doc.kind !== "Kustomization").map((d) => schemaProblems(d.doc)))).flat();
    expect(problems).toEqual([]);
  });

  it("the validators refuse broken objects (so a pass means something)", async () => {
    const dep = structuredClone(one("Deployment"));
    dep.spec.template.spec.containers[0].ports[0].containerPort = "8080";
    expect((await schemaProblems(dep)).join()).toMatch(/containerPort must be integer/);
    const isvc = structuredClone(one("InferenceService"));
    isvc.spec.predictor.minReplica = 0; // a typo: the API server's strict validation refuses unknown fields
    expect((await schemaProblems(isvc)).join()).toMatch(/additional properties.*minReplica/);
    const rt = structuredClone(one("ClusterServingRuntime"));
    delete rt.spec.containers;
    expect((await schemaProblems(rt)).join()).toMatch(/containers/);
    expect(await schemaProblems({ apiVersion: "example.com/v1", kind: "Thing" })).toEqual(["example.com/v1/Thing: no pinned schema for this kind"]);
  });

  it("cross-references hold: selectors, ports, probes, autoscaler target, config and rules", () => {
    const dep = one("Deployment");
    const pod = dep.spec.template;
    const container = pod.spec.containers[0];
    const portNames = new Set(container.ports.map((p: any) => p.name));
    const portNumbers = new Set(container.ports.map((p: any) => p.containerPort));
    expect(matches(dep.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    // Never a release-specific label in the (immutable) selector.
    expect(Object.keys(dep.spec.selector.matchLabels)).not.toContain("millrace.dev/model-version");

    const svc = one("Service");
    expect(matches(svc.spec.selector, pod.metadata.labels)).toBe(true);
    for (const p of svc.spec.ports) expect(portNames.has(p.targetPort) || portNumbers.has(p.targetPort)).toBe(true);
    for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) expect(portNames.has(probe.httpGet.port) || portNumbers.has(probe.httpGet.port)).toBe(true);
    expect(container.readinessProbe.httpGet.path).toBe("/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/health");
    // The port the server is told to listen on is the port the probes and Service use.
    expect(portNumbers.has(Number(container.args[container.args.indexOf("--port") + 1]))).toBe(true);
    expect(pod.metadata.annotations["prometheus.io/port"]).toBe(String(container.ports[0].containerPort));
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);

    const hpa = one("HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: dep.apiVersion, kind: "Deployment", name: dep.metadata.name });
    expect(hpa.spec.metrics.map((m: any) => m.type).sort()).toEqual(["Pods", "Resource"]);
    expect(matches(one("PodDisruptionBudget").spec.selector.matchLabels, pod.metadata.labels)).toBe(true);

    const sm = one("ServiceMonitor");
    expect(matches(sm.spec.selector.matchLabels, svc.metadata.labels)).toBe(true);
    expect(svc.spec.ports.map((p: any) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0].path).toBe("/metrics");

    const configName = pod.spec.volumes.find((v: any) => v.configMap).configMap.name;
    const config = one("ConfigMap", configName);
    expect(config.data!["millrace.yaml"]).toBe(fs.readFileSync(path.join(dir, "millrace.yaml"), "utf8"));
    const mount = container.volumeMounts.find((m: any) => m.name === pod.spec.volumes[0].name);
    expect(mount.mountPath).toBe(`${container.args[1]}/millrace.yaml`);
    const fromSecret = container.env.filter((x: any) => x.valueFrom);
    expect(fromSecret.length, JSON.stringify(container.env)).toBeGreaterThan(0); // else the check below checks nothing
    for (const e of fromSecret) expect(e.valueFrom.secretKeyRef.name).toBe(`${dep.metadata.name}-secrets`);

    const rules = YAML.parse(fs.readFileSync(path.join(repoRoot, "deploy/prometheus/millrace-rules.yml"), "utf8"));
    expect(one("PrometheusRule").spec).toEqual(rules);
    const dashboard = docs.find((d) => d.doc.metadata?.labels?.grafana_dashboard === "1")!.doc;
    expect(JSON.parse(dashboard.data["millrace.json"]).uid).toBe("millrace-serving");
  });

  it("KServe: the InferenceService uses the runtime, V2, scale-to-zero and a canary", () => {
    const rt = one("ClusterServingRuntime");
    const isvc = one("InferenceService");
    const p = isvc.spec.predictor;
    expect(p.model.runtime).toBe(rt.metadata.name);
    expect(rt.spec.supportedModelFormats.map((f: any) => f.name)).toContain(p.model.modelFormat.name);
    expect(rt.spec.protocolVersions).toContain(p.model.protocolVersion);
    expect(p.model.protocolVersion).toBe("v2");
    expect(p.minReplicas).toBe(0);
    expect(p.canaryTrafficPercent).toBe(10);
    expect(isvc.metadata.annotations!["serving.kserve.io/deploymentMode"]).toBe("Serverless");
    // The V2 path /v2/models/{name} answers for the registry model: the service is named after it.
    expect(isvc.metadata.name).toBe("churn");
    const c = rt.spec.containers[0];
    expect(c.image).toBe(one("Deployment").spec.template.spec.containers[0].image);
    expect(c.args).toEqual(one("Deployment").spec.template.spec.containers[0].args);
    expect(c.ports[0].containerPort).toBe(Number(c.args[c.args.indexOf("--port") + 1]));
    expect(c.readinessProbe.httpGet.port).toBe(c.ports[0].containerPort);
  });

  it("--from-registry: the store secrets are required and liveness checks only the process", async () => {
    const out2 = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-k8s-reg-"));
    const r = await millraceAsync(["deploy", "k8s", "-p", dir, "--out", out2, "--from-registry", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const dep = readAll(out2).find((d) => d.doc.kind === "Deployment")!.doc;
    const c = dep.spec.template.spec.containers[0];
    expect(c.livenessProbe.httpGet.path).toBe("/v2/health/live");
    const required = c.env.filter((e: any) => e.valueFrom && !e.valueFrom.secretKeyRef.optional).map((e: any) => e.name);
    expect(required.sort()).toEqual(["MILLRACE_ARTIFACTS_URL", "MILLRACE_METADATA_URL"]);
    expect(dep.metadata.labels["millrace.dev/model-version"]).toBeUndefined();
    expect(await schemaProblems(dep)).toEqual([]);
    const bad = await millraceAsync(["deploy", "k8s", "-p", dir, "--out", out2, "--replicas", "3", "--max-replicas", "2", "--json"]);
    expect(bad.code).toBe(1);
    expect(bad.json.error).toBe("validation_error");
  });
});
