// `millrace deploy image|k8s|compose|smoke`: render what runs `millrace serve` elsewhere, and check a deployed server.
import type { Command } from "commander";
import { loadProject } from "../../project/load-project.js";
import { color, printJson } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { durationSeconds, httpUrl, nonNegativeInt, port, positiveInt } from "../option-parsers.js";

interface Common {
  project: string;
  out: string;
  fromRegistry?: boolean;
  json?: boolean;
}


export function deployCommands(program: Command, action: ActionWrapper): void {
  const deploy = program.command("deploy").description("render a container image context, Kubernetes/KServe manifests or a compose stack; smoke-test a deployed server");
  const common = (c: Command) =>
    c
      .option("-p, --project <dir>", "project folder", ".")
      .requiredOption("-o, --out <dir>", "folder to write into")
      .option("--from-registry", "the image fetches the model from the project's registry at start instead of carrying it")
      .option("--json", "print the result as JSON");

  common(deploy.command("image").description("write a Docker/Podman build context for millrace serve; build it when an engine answers"))
    .option("-t, --tag <tag>", "image tag (default <project>-serve:v<version>)")
    .option("--no-build", "only write the context")
    .action(
      action(async (opts: Common & { tag?: string; build: boolean }) => {
        const { writeImageContext } = await import("../../deploy/image.js");
        const r = await writeImageContext(loadProject(opts.project), { out: opts.out, mode: opts.fromRegistry ? "registry" : "baked", build: opts.build, ...(opts.tag ? { tag: opts.tag } : {}) });
        if (opts.json) printJson(r);
        else {
          const v = r.model.version === null ? `alias ${r.model.alias}, fetched at start` : `v${r.model.version} (${r.model.alias})${r.mode === "registry" ? ", fetched at start" : ", baked in"}`;
          console.log(`${color.bold("image context")} ${r.out} for ${r.model.name} ${v}: ${r.files.length} files`);
          console.log(r.build.built ? color.green(r.build.message) : color.yellow(r.build.message));
        }
        return 0;
      }),
    );

  common(deploy.command("k8s").description("write Kubernetes manifests (one file per object) + kustomization, and a KServe InferenceService in OUT/kserve"))
    .option("--image <ref>", "image reference (default <project>-serve:v<version>)")
    .option("-n, --namespace <ns>", "namespace set by the kustomizations")
    .option("--replicas <n>", "minimum replicas (Deployment, HPA)", positiveInt, 2)
    .option("--max-replicas <n>", "maximum replicas (HPA, KServe)", positiveInt, 10)
    .option("--target-rps <n>", "requests per second per replica before scaling out", positiveInt, 50)
    .option("--canary-percent <n>", "KServe: traffic share of a newly applied revision until promoted", nonNegativeInt)
    .action(
      action(async (opts: Common & { image?: string; namespace?: string; replicas: number; maxReplicas: number; targetRps: number; canaryPercent?: number }) => {
        const { writeK8s } = await import("../../deploy/k8s-write.js");
        const canary = opts.canaryPercent;
        const r = await writeK8s(loadProject(opts.project), {
          out: opts.out,
          mode: opts.fromRegistry ? "registry" : "baked",
          replicas: opts.replicas,
          maxReplicas: opts.maxReplicas,
          targetRps: opts.targetRps,
          ...(opts.image ? { image: opts.image } : {}),
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          ...(canary !== undefined ? { canaryPercent: canary } : {}),
        });
        if (opts.json) printJson(r);
        else {
          console.log(`${color.bold("manifests")} in ${r.out} for image ${r.image}:`);
          for (const o of r.objects) console.log(`  ${o.file.padEnd(32)} ${o.kind} ${o.name}`);
          console.log(`apply: kubectl apply -k ${r.out}   (KServe instead: kubectl apply -k ${r.out}/kserve)`);
        }
        return 0;
      }),
    );

  deploy
    .command("compose")
    .description("write compose.yaml for the scale-out stack: PostgreSQL, Redis, MinIO, serve replicas behind nginx, workers, scheduler, Prometheus, Grafana")
    .option("-p, --project <dir>", "project folder", ".")
    .requiredOption("-o, --out <dir>", "folder to write into")
    .option("--replicas <n>", "millrace serve replicas behind the proxy", positiveInt, 2)
    .option("--workers <n>", "millrace worker processes", nonNegativeInt, 1)
    .option("--port <n>", "host port of the proxy", port, 8080)
    .option("--json", "print the result as JSON")
    .action(
      action(async (opts: { project: string; out: string; replicas: number; workers: number; port: number; json?: boolean }) => {
        const { writeCompose } = await import("../../deploy/compose.js");
        const r = await writeCompose(loadProject(opts.project), { out: opts.out, replicas: opts.replicas, workers: opts.workers, port: opts.port });
        if (opts.json) printJson(r);
        else console.log(`${color.bold("compose stack")} in ${r.out}: ${r.services.join(", ")} (${r.replicas} serve replicas, ${r.workers} workers)
start: cp ${r.out}/.env.example ${r.out}/.env && docker compose -f ${r.out}/compose.yaml up -d --build`);
        return 0;
      }),
    );

  deploy
    .command("smoke")
    .argument("<url>", "base URL of the deployed server, e.g. http://churn.default.example.com", httpUrl)
    .description("check a deployed server: /v2/models/{name}/ready, then /predict with the served version's input example (exit 1 when it fails)")
    .option("-p, --project <dir>", "project folder (the model name and input example come from its registry)", ".")
    .option("-m, --model <name>", "model name (default registry.model)")
    .option("--expect-version <n>", "the answer must come from this version", positiveInt)
    .option("--timeout <duration>", "how long to wait for readiness, e.g. 60s or 5m", durationSeconds, 60)
    .option("--json", "print the result as JSON")
    .action(
      action(async (url: string, opts: { project: string; model?: string; expectVersion?: number; timeout: number; json?: boolean }) => {
        const { smokeTest } = await import("../../deploy/smoke.js");
        const { deployFacts } = await import("../../deploy/facts.js");
        const project = loadProject(opts.project);
        const facts = await deployFacts(project, { requireVersion: true });
        const token = process.env.MILLRACE_API_TOKEN;
        const r = await smokeTest({
          url,
          model: opts.model ?? facts.model,
          example: facts.version!.inputExample ?? {},
          timeoutMs: opts.timeout * 1000,
          ...(token ? { token } : {}),
          ...(opts.expectVersion !== undefined ? { expectVersion: opts.expectVersion } : {}),
        });
        if (opts.json) printJson(r);
        else console.log(`${color.green("ok")} ${r.url}: ready after ${r.ready.waitedMs} ms; /predict ${r.predict.latencyMs.toFixed(1)} ms from ${String(r.predict.provenance.model)} v${String(r.predict.provenance.version)}`);
        return 0;
      }),
    );
}
