// The pure renderers on hand-made facts: names, labels and options that the end-to-end tests on churn do not vary.
import { describe, expect, it } from "vitest";
import type { ModelVersion } from "../records.js";
import { imageLabels, renderDockerfile, serveCommand } from "./dockerfile.js";
import { dnsName, type DeployFacts } from "./facts.js";
import { renderK8s } from "./k8s.js";
import { renderKServe } from "./kserve.js";

const version = { name: "Fraud_Model", version: 7, runId: "run-7", datasetId: "ds-7", datasetHash: "abc", artifactUri: "artifacts:models/x/model.bin" } as ModelVersion;
const facts = (v: ModelVersion | null): DeployFacts => ({ name: "Fraud_Detection", model: "Fraud_Model", alias: "production", version: v, others: [], sourceCommit: null, millraceVersion: "9.9.9", port: 8080 });

describe("deploy renderers", () => {
  it("makes DNS-1123 names from any project or model name", () => {
    expect(dnsName("Fraud_Detection")).toBe("fraud-detection");
    expect(dnsName("__")).toBe("millrace");
    expect(dnsName("a".repeat(80)).length).toBe(52);
  });

  it("labels a baked image with the version's provenance, a registry image without any version", () => {
    expect(imageLabels(facts(version), "baked")).toMatchObject({ "dev.millrace.model.version": "7", "dev.millrace.model.run-id": "run-7", "dev.millrace.dataset.hash": "abc" });
    const reg = imageLabels(facts(version), "registry");
    expect(reg["dev.millrace.model.version"]).toBeUndefined();
    expect(reg["org.opencontainers.image.version"]).toBe("Fraud_Model-production");
    // No git: no revision label rather than a made-up one.
    expect(reg["org.opencontainers.image.revision"]).toBeUndefined();
  });

  it("writes the serve command the probes and Service agree on", () => {
    expect(serveCommand(9000).cmd).toEqual(["serve", "/app/project", "--host", "0.0.0.0", "--port", "9000"]);
    const text = renderDockerfile(facts(version), "baked", "millrace-9.9.9.tgz");
    expect(text).toContain("COPY package.json package-lock.json millrace-9.9.9.tgz ./");
    expect(text).toContain('LABEL dev.millrace.model.run-id="run-7"');
  });

  it("keeps release-specific labels out of selectors and marks the version on pods", () => {
    const objs = renderK8s(facts(version), { image: "i:1", mode: "baked", replicas: 3, maxReplicas: 9, targetRps: 20 }, "name: x\n");
    const dep = objs.find((o) => o.object.kind === "Deployment")!.object as any;
    expect(dep.metadata.name).toBe("fraud-detection-serve");
    expect(dep.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "millrace-serve", "app.kubernetes.io/instance": "fraud-detection" });
    expect(dep.spec.template.metadata.labels["millrace.dev/model-version"]).toBe("7");
    const hpa = objs.find((o) => o.object.kind === "HorizontalPodAutoscaler")!.object as any;
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 9]);
    expect(hpa.spec.metrics[1].pods.target.averageValue).toBe("20");
  });

  it("KServe: no canaryTrafficPercent unless asked, the service named after the model", () => {
    const [, isvc] = renderKServe(facts(null), { image: "i:1", mode: "registry", maxReplicas: 4, targetRps: 30 });
    expect(isvc.object.metadata.name).toBe("fraud-model");
    expect(isvc.object.spec.predictor).not.toHaveProperty("canaryTrafficPercent");
    expect(isvc.object.spec.predictor).toMatchObject({ minReplicas: 0, maxReplicas: 4, scaleMetric: "rps", scaleTarget: 30 });
    const [, canary] = renderKServe(facts(version), { image: "i:1", mode: "baked", maxReplicas: 4, targetRps: 30, canaryPercent: 25 });
    expect(canary.object.spec.predictor).toMatchObject({ canaryTrafficPercent: 25 });
    expect(canary.object.metadata.annotations!["millrace.dev/model-version"]).toBe("7");
  });
});
