// The deploy kind (opt-in: only a pipeline that names "deploy" runs it): renders the Kubernetes manifests of the
// version the serving alias now points at (and applies them with kubectl when configured), smoke-tests it on the
// deployed server (its V2 ready route, then its input example answered with that version's provenance) and, when
// any of that fails, rolls the alias back to the version it held before, with the reason in the audit trail, and
// renders (and applies) that version again; the task then fails, so the run fails and its alerts fire.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { MillraceError, describeError, isMillraceError } from "../../errors.js";
import { writeK8s } from "../../deploy/k8s-write.js";
import { smokeTest } from "../../deploy/smoke.js";
import type { Project } from "../../project/load-project.js";
import { expandEnv } from "../steps/tables.js";
import { taskOf, type TaskKind } from "../task-kind.js";

export interface DeployOutput {
  model: string;
  alias: string;
  version: number;
  url: string;
  smoke: "passed" | "failed";
  latencyMs?: number;
  /** The manifests rendered for this version (deployment.kubernetes), and whether kubectl applied them. */
  manifests?: { out: string; image: string; objects: number; applied: boolean };
  /** Where the alias went back to after a failed smoke test. */
  rolledBackTo?: number;
}

export class DeploymentFailedError extends MillraceError {
  constructor(message: string, details: { hint?: string; [k: string]: unknown }) {
    super("deployment_failed", message, details);
  }
}

type KubernetesConfig = NonNullable<NonNullable<Project["config"]["deployment"]>["kubernetes"]>;

/** Renders the alias's current version into `k.out` and applies it with kubectl when asked. */
async function rollOut(project: Project, k: KubernetesConfig, note: (s: string) => void): Promise<NonNullable<DeployOutput["manifests"]>> {
  const out = path.resolve(project.dir, k.out);
  const w = await writeK8s(project, { out, mode: k.mode, ...(k.image ? { image: k.image } : {}), ...(k.namespace ? { namespace: k.namespace } : {}) });
  note(`rendered ${w.objects.length} objects for ${w.image} into ${k.out}`);
  if (!k.apply) return { out, image: w.image, objects: w.objects.length, applied: false };
  const args = [...(k.context ? ["--context", k.context] : []), "apply", "-k", out];
  try {
    await promisify(execFile)("kubectl", args, { timeout: 120_000 });
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
    throw new DeploymentFailedError(missing ? "kubectl is not on PATH, so the manifests were rendered but not applied" : `kubectl ${args.join(" ")} failed: ${(e as { stderr?: string }).stderr?.trim() || describeError(e)}`, {
      hint: missing ? `install kubectl, or set deployment.kubernetes.apply: false and apply ${k.out} yourself` : "check the kube context (kubectl config current-context) and the manifests",
    });
  }
  note(`kubectl ${args.join(" ")}: applied`);
  return { out, image: w.image, objects: w.objects.length, applied: true };
}

export const deployKind: TaskKind<DeployOutput, "registry"> = {
  name: "deploy",
  description: "smoke-test the served alias's version on the deployed server; roll the alias back when it fails",
  needs: ["registry"],
  optIn: true,
  plan(ctx) {
    const d = ctx.project.config.deployment;
    if (!d) return [];
    return [
      taskOf(deployKind, "deploy", [], async ({ r, note }) => {
        const cfg = r.project.config;
        const model = cfg.registry.model;
        const alias = cfg.serve.alias ?? cfg.registry.alias;
        const version = await r.registry.aliasVersion(model, alias);
        if (!version) throw new DeploymentFailedError(`${model}@${alias} points at no version: nothing to deploy`, { hint: "run the training pipeline first" });
        const url = expandEnv(d.url);
        const token = d.token_env ? process.env[d.token_env] : undefined;
        let manifests: DeployOutput["manifests"];
        try {
          if (d.kubernetes) manifests = await rollOut(r.project, d.kubernetes, note);
          const res = await smokeTest({
            url, model, example: version.inputExample ?? {}, expectVersion: version.version, timeoutMs: d.smoke_timeout, ...(token ? { token } : {}),
          });
          note(`v${version.version} answers on ${url} (${res.predict.latencyMs.toFixed(0)} ms)`);
          return { model, alias, version: version.version, url, smoke: "passed", latencyMs: res.predict.latencyMs, ...(manifests ? { manifests } : {}) };
        } catch (e) {
          const what = e instanceof DeploymentFailedError ? `rolling out v${version.version}` : `smoke test of v${version.version} on ${url}`;
          const reason = `${what} failed: ${describeError(e)}`;
          const back = await r.registry.rollback(model, alias, { actor: "pipeline:deploy", reason });
          note(`${reason}; ${alias} rolled back to v${back.toVersion}`);
          // The cluster follows the alias back: the previous version rendered (and applied) again.
          if (d.kubernetes) await rollOut(r.project, d.kubernetes, note).catch((again: unknown) => note(`re-rendering v${back.toVersion} failed too: ${describeError(again)}`));
          throw new DeploymentFailedError(`${reason}; ${model}@${alias} rolled back to v${back.toVersion}`, {
            hint: `see the audit with: millrace models history ${model}`,
            version: version.version,
            rolledBackTo: back.toVersion,
          });
        }
      }),
    ];
  },
  summarize(out, summary) {
    summary.deployment = out;
  },
  summarizeFailure(error, summary) {
    // By code: a failure sent back by a worker is a MillraceError with this code, not the class.
    if (isMillraceError(error) && error.code === "deployment_failed") {
      const d = error.details as { version?: number; rolledBackTo?: number };
      summary.deployment = { smoke: "failed", ...(d.version !== undefined ? { version: d.version } : {}), ...(d.rolledBackTo !== undefined ? { rolledBackTo: d.rolledBackTo } : {}) };
    }
  },
};
