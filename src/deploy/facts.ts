// What every deployment render needs to know about a project: the served model version, its provenance, the source commit.
import { spawnSync } from "node:child_process";
import { NotFoundError } from "../errors.js";
import { withResources } from "../flow/resources.js";
import type { Project } from "../project/load-project.js";
import type { ModelVersion } from "../records.js";
import { VERSION } from "../version.js";

export interface DeployFacts {
  /** Project name: the prefix of every rendered object's name. */
  name: string;
  model: string;
  alias: string;
  /** The version the alias points at now; null when none does yet (a registry-mode image can still be built). */
  version: ModelVersion | null;
  /** Versions other served aliases (canary, shadow) point at: a baked image must carry their artifacts too. */
  others: ModelVersion[];
  /** `git rev-parse HEAD` of the project folder, with `-dirty` when it has uncommitted changes; null outside git. */
  sourceCommit: string | null;
  millraceVersion: string;
  /** The container port `millrace serve` listens on inside an image (KServe's default). */
  port: number;
}

export const CONTAINER_PORT = 8080;

/** Reads the served alias from the project's registry; `requireVersion` turns "no version yet" into a NotFoundError. */
export async function deployFacts(project: Project, opts: { requireVersion?: boolean } = {}): Promise<DeployFacts> {
  const cfg = project.config;
  const alias = cfg.serve.alias ?? cfg.registry.alias;
  const { version, others } = await withResources(
    project,
    async (r) => {
      const version = await r.registry.aliasVersion(cfg.registry.model, alias);
      const extra = [cfg.serve.canary?.alias, cfg.serve.shadow?.alias].filter((a): a is string => a !== undefined);
      const others: ModelVersion[] = [];
      for (const a of extra) {
        const mv = await r.registry.aliasVersion(cfg.registry.model, a);
        if (mv && mv.version !== version?.version) others.push(mv);
      }
      return { version, others };
    },
    { lake: false },
  );
  if (!version && opts.requireVersion) {
    throw new NotFoundError(`no version of ${cfg.registry.model} holds the alias ${alias}`, {
      hint: `run the pipeline (millrace run ${project.dir}) or promote a version, or build an image that fetches the model at start (--from-registry)`,
    });
  }
  return { name: cfg.name, model: cfg.registry.model, alias, version, others, sourceCommit: sourceCommit(project.dir), millraceVersion: VERSION, port: CONTAINER_PORT };
}

function sourceCommit(dir: string): string | null {
  const head = spawnSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" });
  if (head.status !== 0) return null;
  const dirty = spawnSync("git", ["-C", dir, "status", "--porcelain", "--", "."], { encoding: "utf8" });
  return head.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() !== "" ? "-dirty" : "");
}

/** A Kubernetes / DNS-1123 name from any project or model name. */
export function dnsName(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 52);
  return n === "" ? "millrace" : n;
}
