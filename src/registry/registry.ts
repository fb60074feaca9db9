// The model registry: versions with signature, metrics and lineage to run and dataset; aliases whose every move
// is an audited transition (who, when, why, from which version).
import { NotFoundError, ValidationError } from "../errors.js";
import { ids, type ModelVersion, type Signature, type Stage } from "../records.js";
import type { ArtifactStore } from "../store/artifact-store.js";
import type { AliasTransition, ArchiveTransition, MetadataStore } from "../store/metadata-store.js";

export interface RegisterRequest {
  name: string;
  runId: string;
  datasetId: string;
  datasetHash: string;
  /** The model artifact bytes; stored under models/<name>/<version>/model.bin. */
  artifact: Uint8Array;
  signature: Signature;
  metrics: Record<string, number>;
  description?: string;
  inputExample?: Record<string, unknown>;
}

export interface Audit {
  actor: string;
  reason: string;
}

const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export class Registry {
  constructor(
    readonly store: MetadataStore,
    readonly artifacts: ArtifactStore,
  ) {}

  /** Stores the artifact first, then the version row: a failure leaves no version pointing at nothing. */
  async register(req: RegisterRequest): Promise<ModelVersion> {
    const key = `models/${req.name}/run-${req.runId}/model.bin`;
    const artifactUri = await this.artifacts.put(key, req.artifact);
    const mv = await this.store.createModelVersion({
      name: req.name,
      runId: req.runId,
      datasetId: req.datasetId,
      datasetHash: req.datasetHash,
      artifactUri,
      signature: req.signature,
      metrics: req.metrics,
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.inputExample !== undefined ? { inputExample: req.inputExample } : {}),
    });
    await this.store.addLineage([
      { from: ids.run(req.runId), to: ids.model(mv), kind: "registered_from" },
      { from: ids.dataset(req.datasetId), to: ids.model(mv), kind: "trained_on" },
    ]);
    return mv;
  }

  async get(name: string, version: number): Promise<ModelVersion> {
    const mv = await this.store.getModelVersion(name, version);
    if (!mv) {
      throw new NotFoundError(`model ${name} has no version ${version}`, { hint: `list versions with: millrace models --name ${name}` });
    }
    return mv;
  }

  /** `ref` is a version number or an alias name. */
  async resolve(name: string, ref: string | number): Promise<ModelVersion> {
    if (typeof ref === "number" || /^\d+$/.test(ref)) return this.get(name, Number(ref));
    const version = await this.store.getAlias(name, ref);
    if (version === null) {
      throw new NotFoundError(`model ${name} has no version with alias "${ref}"`, {
        hint: `run the pipeline (millrace run) or promote a version: millrace models promote ${name} <version>`,
      });
    }
    return this.get(name, version);
  }

  /** The version an alias points at, or null. */
  async aliasVersion(name: string, alias: string): Promise<ModelVersion | null> {
    const version = await this.store.getAlias(name, alias);
    return version === null ? null : this.get(name, version);
  }

  async setAlias(name: string, alias: string, version: number, audit: Audit): Promise<AliasTransition> {
    if (!ALIAS.test(alias)) {
      throw new ValidationError(`invalid alias "${alias}"`, { hint: "an alias starts with a letter and holds letters, digits, - and _" });
    }
    const mv = await this.get(name, version);
    if (mv.archived) {
      throw new ValidationError(`${name} v${version} is archived and cannot take the alias "${alias}"`, {
        hint: `restore it first: millrace models archive ${name} ${version} --restore`,
      });
    }
    return this.store.moveAlias(name, alias, version, audit);
  }

  /**
   * Archives a version: it keeps artifact and lineage, loses its aliases (each move audited), takes no new ones.
   * The archiving itself is audited too; archiving an archived version changes nothing and records nothing.
   */
  async archive(name: string, version: number, audit: Audit): Promise<{ transition: ArchiveTransition | null; aliasesRemoved: AliasTransition[] }> {
    const mv = await this.get(name, version);
    const aliasesRemoved: AliasTransition[] = [];
    for (const alias of mv.aliases) aliasesRemoved.push(await this.store.moveAlias(name, alias, null, { ...audit, reason: `archived v${version}: ${audit.reason}` }));
    const transition = mv.archived ? null : await this.store.setArchived(name, version, true, audit);
    return { transition, aliasesRemoved };
  }

  /** Takes a version out of the archive (audited); null when it was not archived. */
  async unarchive(name: string, version: number, audit: Audit): Promise<ArchiveTransition | null> {
    const mv = await this.get(name, version);
    return mv.archived ? this.store.setArchived(name, version, false, audit) : null;
  }

  /** Moves the alias back to the version it pointed at before its last move. */
  async rollback(name: string, alias: string, audit: Audit): Promise<AliasTransition> {
    const history = await this.store.aliasTransitions(name, alias);
    const last = history.at(-1);
    if (!last || last.fromVersion === null) {
      throw new ValidationError(`alias ${name}@${alias} has no earlier version to roll back to`, {
        hint: `see its history with: millrace models history ${name}`,
      });
    }
    return this.store.moveAlias(name, alias, last.fromVersion, audit);
  }

  async removeAlias(name: string, alias: string, audit: Audit): Promise<AliasTransition> {
    return this.store.moveAlias(name, alias, null, audit);
  }

  /** MLflow's stage of a version, derived from its aliases and archived flag. */
  static stageOf(mv: ModelVersion): Stage {
    if (mv.archived) return "Archived";
    if (mv.aliases.includes("production")) return "Production";
    if (mv.aliases.includes("staging")) return "Staging";
    return "None";
  }

  loadArtifact(mv: ModelVersion): Promise<Uint8Array> {
    return this.artifacts.get(mv.artifactUri);
  }
}
