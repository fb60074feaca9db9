// The deployment pipeline (issues 13, 14): the deploy task smoke-tests the version the serving alias points at on a
// real `millrace serve`, and when the smoke test fails rolls the alias back, with the reason in the audit trail.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, millrace as cli_, startServe } from "./cli.js";
import { executors, onExecutor } from "./worker-processes.js";

// The same tests with the deploy task in the pipeline's process and on two `millrace worker` processes (bullmq).
describe.each(executors)("deployment pipeline (%s)", { timeout: 600_000 }, (executor) => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  const yaml = () => path.join(dir, "millrace.yaml");
  const base = () => fs.readFileSync(yaml(), "utf8");
  let original = "";

  beforeAll(() => {
    dir = copyExample();
  });
  const { env, workers } = onExecutor(executor, () => dir, "deploy");
  const millrace = (args: string[]) => cli_(args, env);
  beforeAll(() => {
    original = base();
    const first = millrace(["run", dir, "--json"]);
    expect(first.code, first.out).toBe(0);
    // A second version (the gate may keep it out); promoted by hand so the alias has a version to go back to.
    const second = millrace(["run", dir, "--retrain", "--json"]);
    expect(second.code, second.out).toBe(0);
    expect(second.json.model.version).toBe(2);
    if (!second.json.model.promoted) {
      const promoted = millrace(["models", "promote", "churn", "2", "-p", dir, "-r", "release 2", "--json"]);
      expect(promoted.code, promoted.out).toBe(0);
    }
  });
  afterAll(() => server?.proc.kill("SIGTERM"));

  const withDeployment = (url: string, kubernetes = "") =>
    fs.writeFileSync(yaml(), `${original}\npipelines:\n  deployment: { tasks: [deploy] }\ndeployment: { url: "${url}", smoke_timeout: 2${kubernetes ? `, kubernetes: ${kubernetes}` : ""} }\n`);
  const renderedImage = () => {
    const doc = fs.readFileSync(path.join(dir, "deploy/k8s", fs.readdirSync(path.join(dir, "deploy/k8s")).find((f) => /deployment/i.test(f))!), "utf8");
    return /image: (\S+)/.exec(doc)?.[1];
  };

  it("passes when the served version answers its input example with its provenance", async () => {
    server = await startServe(dir);
    withDeployment(server.url);
    const r = millrace(["pipeline", "trigger", "deployment", "-p", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json.deployment).toMatchObject({ model: "churn", alias: "production", version: 2, smoke: "passed" });
    expect(Object.keys(r.json.tasks)).toEqual(["deploy"]);
    expect(r.json.tasks.deploy.worker ?? "here").toBeOneOf(executor === "local" ? ["here"] : workers.map((w) => w.id()));
  });

  it("rolls the alias back when the smoke test fails, and says so in the audit trail", () => {
    // Nothing listens on port 9 of this host: the server is not ready within smoke_timeout.
    withDeployment("http://127.0.0.1:9");
    const r = millrace(["pipeline", "trigger", "deployment", "-p", dir, "--json"]);
    expect(r.code).toBe(1);
    expect(r.json.failure.code).toBe("deployment_failed");
    expect(r.json.deployment).toMatchObject({ smoke: "failed", version: 2, rolledBackTo: 1 });
    const history = millrace(["models", "history", "churn", "-p", dir, "--json"]).json;
    const last = (Array.isArray(history) ? history : history.transitions).at(-1);
    expect(last).toMatchObject({ alias: "production", fromVersion: 2, toVersion: 1, actor: "pipeline:deploy" });
    expect(last.reason).toContain("smoke test of v2 on http://127.0.0.1:9 failed");
    // The default pipeline never deploys.
    expect(millrace(["pipeline", "list", "-p", dir, "--json"]).json.map((p: any) => p.name)).toEqual(["deployment"]);
  });

  it("renders the version's manifests before the smoke test, and after a failed kubectl apply rolls back and renders the previous version", () => {
    // After the roll back above, production is v1 again and the server answers with v1.
    withDeployment(server!.url, "{ out: deploy/k8s }");
    const ok = millrace(["pipeline", "trigger", "deployment", "-p", dir, "--json"]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.json.deployment).toMatchObject({ version: 1, smoke: "passed", manifests: { image: "churn-serve:v1", applied: false } });
    expect(ok.json.deployment.manifests.objects).toBeGreaterThan(5);
    expect(renderedImage()).toBe("churn-serve:v1");
    // kubectl runs (it is installed here) but the context does not exist: the roll-out fails before the smoke test.
    withDeployment(server!.url, "{ out: deploy/k8s, apply: true, context: no-such-context }");
    const bad = millrace(["pipeline", "trigger", "deployment", "-p", dir, "--json"]);
    expect(bad.code).toBe(1);
    expect(bad.json.failure.code).toBe("deployment_failed");
    expect(bad.json.failure.message).toMatch(/rolling out v1 failed: (kubectl .*no-such-context|kubectl is not on PATH)/);
    expect(bad.json.deployment).toMatchObject({ smoke: "failed", version: 1, rolledBackTo: 2 });
    // The manifests follow the alias back.
    expect(renderedImage()).toBe("churn-serve:v2");
  });
});
