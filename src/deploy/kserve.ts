// KServe objects: a ClusterServingRuntime that runs `millrace serve` (it already speaks the V2 / Open Inference
// Protocol) and an InferenceService using it, serverless with scale-to-zero and an optional KServe-native canary.
import { dnsName, type DeployFacts } from "./facts.js";
import { selectorLabels, serveContainer, type K8sObject } from "./k8s.js";
import type { ModelMode } from "./dockerfile.js";

export const RUNTIME_NAME = "millrace";
export const MODEL_FORMAT = { name: "millrace", version: "1" };

export interface KServeOptions {
  image: string;
  mode: ModelMode;
  maxReplicas: number;
  /** Share of traffic a newly applied revision gets until promoted (KServe's canaryTrafficPercent); absent = all. */
  canaryPercent?: number;
  /** Requests per second per replica Knative scales on. */
  targetRps: number;
}

interface KServeObject extends K8sObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export function renderKServe(f: DeployFacts, opts: KServeOptions): Array<{ file: string; object: KServeObject }> {
  const labels = { ...selectorLabels(f), "app.kubernetes.io/part-of": "millrace" };
  // KServe names its container kserve-container and routes to the first port; probes may name only that port.
  const { name: _name, command, args, ports, env, resources, securityContext } = serveContainer(f, opts, "kserve-container");
  const runtime: KServeObject = {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ClusterServingRuntime",
    metadata: { name: RUNTIME_NAME, labels: { "app.kubernetes.io/part-of": "millrace" } },
    spec: {
      annotations: { "prometheus.kserve.io/port": String(f.port), "prometheus.kserve.io/path": "/metrics" },
      supportedModelFormats: [{ ...MODEL_FORMAT, autoSelect: true, priority: 1 }],
      protocolVersions: ["v2"],
      multiModel: false,
      containers: [
        {
          name: "kserve-container",
          image: opts.image,
          command,
          args,
          ports: (ports ?? []).map((p) => ({ containerPort: p.containerPort, protocol: p.protocol })),
          env,
          resources,
          securityContext,
          readinessProbe: { httpGet: { path: "/v2/health/ready", port: f.port }, periodSeconds: 5, failureThreshold: 2 },
        },
      ],
    },
  };
  const predictor: Record<string, unknown> = {
    // Scale to zero when idle (serverless mode); the first request after that waits for a cold start.
    minReplicas: 0,
    maxReplicas: opts.maxReplicas,
    scaleMetric: "rps",
    scaleTarget: opts.targetRps,
    ...(opts.canaryPercent !== undefined ? { canaryTrafficPercent: opts.canaryPercent } : {}),
    model: {
      modelFormat: MODEL_FORMAT,
      runtime: RUNTIME_NAME,
      protocolVersion: "v2",
      // The secrets the runtime's env references are per namespace; the InferenceService names them again for clarity.
      env: env ?? [],
    },
  };
  const inferenceService: KServeObject = {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      // Named after the model: clients then call /v2/models/{model}/infer on the host KServe gives this service.
      name: dnsName(f.model),
      labels,
      annotations: {
        "serving.kserve.io/deploymentMode": "Serverless",
        ...(f.version && opts.mode === "baked" ? { "millrace.dev/model-version": String(f.version.version), "millrace.dev/run-id": f.version.runId } : {}),
      },
    },
    spec: { predictor },
  };
  return [
    { file: "clusterservingruntime.yaml", object: runtime },
    { file: "inferenceservice.yaml", object: inferenceService },
  ];
}

