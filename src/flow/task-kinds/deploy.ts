// The deploy kind (opt-in: only a pipeline that names "deploy" runs it): smoke-tests the version the serving alias
// now points at on the deployed server (its V2 ready route, then its input example answered with that version's
// provenance) and, when the test fails, rolls the alias back to the version it held before, with the reason in
// the audit trail; the task then fails, so the run fails and its alerts fire.
import { MillraceError, describeError } from "../../errors.js";
import { smokeTest } from "../../deploy/smoke.js";
import { expandEnv } from "../steps/tables.js";
import { taskOf, type TaskKind } from "../task-kind.js";

export interface DeployOutput {
  model: string;
  alias: string;
  version: number;
  url: string;
  smoke: "passed" | "failed";
  latencyMs?: number;
  /** Where the alias went back to after a failed smoke test. */
  rolledBackTo?: number;
}

export class DeploymentFailedError extends MillraceError {
  constructor(message: string, details: { hint?: string; [k: string]: unknown }) {
    super("deployment_failed", message, details);
  }
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
        try {
          const res = await smokeTest({
            url, model, example: version.inputExample ?? {}, expectVersion: version.version, timeoutMs: d.smoke_timeout, ...(token ? { token } : {}),
          });
          note(`v${version.version} answers on ${url} (${res.predict.latencyMs.toFixed(0)} ms)`);
          return { model, alias, version: version.version, url, smoke: "passed", latencyMs: res.predict.latencyMs };
        } catch (e) {
          const reason = `smoke test of v${version.version} on ${url} failed: ${describeError(e)}`;
          const back = await r.registry.rollback(model, alias, { actor: "pipeline:deploy", reason });
          note(`${reason}; ${alias} rolled back to v${back.toVersion}`);
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
    if (error instanceof DeploymentFailedError) {
      const d = error.details as { version?: number; rolledBackTo?: number };
      summary.deployment = { smoke: "failed", ...(d.version !== undefined ? { version: d.version } : {}), ...(d.rolledBackTo !== undefined ? { rolledBackTo: d.rolledBackTo } : {}) };
    }
  },
};
