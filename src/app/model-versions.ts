// Promote, roll back, remove an alias, archive and restore a model version, written once: the CLI, the server's
// registry routes and the dashboard (through those routes) check their input and audit their moves here.
import { ValidationError } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import type { AliasTransition, ArchiveTransition } from "../store/metadata-store.js";

/** Who asks and why; `reason` falls back to what the channel says ("promoted by hand", "promoted over HTTP"). */
export interface Request {
  actor: string;
  reason?: unknown;
  defaultReason: string;
}

const MAX_REASON = 1000;

function reasonOf(req: Request): string {
  if (req.reason === undefined) return req.defaultReason;
  if (typeof req.reason !== "string" || req.reason.length > MAX_REASON) {
    throw new ValidationError("reason must be a string of at most 1,000 characters", { path: "reason" });
  }
  return req.reason;
}

/** A version number; anything else (a JSON "3", 0, 2.5) is refused naming the field. */
export function versionOf(value: unknown, hint = "versions are numbered from 1; list them with: millrace models"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new ValidationError("version must be a positive integer", { path: "version", hint });
  return value;
}

/** A version typed as text (a CLI argument, a URL segment): "3" is 3, any other text stays text for versionOf to refuse. */
export const versionText = (text: string): number | string => (/^\d{1,15}$/.test(text) ? Number(text) : text);

/** Points `alias` at a version (refused for archived versions); one audited transition. */
export async function promote(registry: Registry, name: string, alias: string, version: unknown, req: Request & { versionHint?: string }): Promise<AliasTransition> {
  return registry.setAlias(name, alias, versionOf(version, req.versionHint), { actor: req.actor, reason: reasonOf(req) });
}

/** Moves `alias` back to the version it held before its last move. */
export async function rollback(registry: Registry, name: string, alias: string, req: Request): Promise<AliasTransition> {
  return registry.rollback(name, alias, { actor: req.actor, reason: reasonOf(req) });
}

export async function removeAlias(registry: Registry, name: string, alias: string, req: Request): Promise<AliasTransition> {
  return registry.removeAlias(name, alias, { actor: req.actor, reason: reasonOf(req) });
}

export interface ArchiveResult {
  name: string;
  version: number;
  /** Whether the version is archived now. */
  archived: boolean;
  /** False when it already was where it was asked to be (nothing recorded). */
  changed: boolean;
  transition: ArchiveTransition | null;
  /** Archiving takes every alias off the version, each move audited. */
  aliasesRemoved: AliasTransition[];
}

/** Archives a version (or with `restore`, takes it out of the archive); audited, like an alias move. */
export async function archive(registry: Registry, name: string, version: unknown, restore: unknown, req: Request): Promise<ArchiveResult> {
  if (restore !== undefined && typeof restore !== "boolean") throw new ValidationError("restore must be true or false", { path: "restore" });
  const v = versionOf(version, `name the version in the path, e.g. /models/${name}/versions/3/archive`);
  const audit = { actor: req.actor, reason: reasonOf(req) };
  if (restore === true) {
    const transition = await registry.unarchive(name, v, audit);
    return { name, version: v, archived: false, changed: transition !== null, transition, aliasesRemoved: [] };
  }
  const { transition, aliasesRemoved } = await registry.archive(name, v, audit);
  return { name, version: v, archived: true, changed: transition !== null, transition, aliasesRemoved };
}
