// The artifact store interface (models, reports) and its local-folder adapter; an S3 adapter implements the same.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NotFoundError, ValidationError } from "../errors.js";

export interface ArtifactStore {
  /** Stores bytes under a key like `models/churn/3/model.bin`; returns the artifact URI. Never overwrites. */
  put(key: string, bytes: Uint8Array): Promise<string>;
  get(uri: string): Promise<Uint8Array>;
  exists(uri: string): Promise<boolean>;
  delete(uri: string): Promise<void>;
  /** URIs of every stored artifact (for garbage collection). */
  list(): Promise<string[]>;
  /** The one spelling of a URI this store writes and lists, so an old spelling of the same artifact compares equal. */
  canonical(uri: string): Promise<string>;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** URIs of the folder store name a key relative to its root, so a moved or copied project reads its own files. */
export const FOLDER_SCHEME = "artifacts:";

/**
 * The key inside an artifact folder of an absolute path written by an older version (file:///old/root/<key>): the
 * keys the registry and the tracker write end in models/<name>/run-<id>/<file> or runs/<run id>/<file>.
 */
const LEGACY_KEY = /(?:^|\/)(models\/[^/]+\/run-[^/]+\/[^/]+|runs\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/.+)$/;

/**
 * Keeps artifacts as files under a root folder; URIs are `artifacts:<key>`, relative to the folder. Old records hold
 * absolute file:// URLs: one under another root is read from this folder when the same key is here (the project
 * was moved or copied), from its own path otherwise. Writes are temp-file + rename.
 */
export class FolderArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  async put(key: string, bytes: Uint8Array): Promise<string> {
    const target = this.pathOfKey(key);
    if (fs.existsSync(target)) {
      throw new ValidationError(`artifact ${key} already exists`, { hint: "artifact keys are write-once; use a new key" });
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
    await fs.promises.writeFile(tmp, bytes);
    await fs.promises.rename(tmp, target);
    return this.uriOf(target);
  }

  async get(uri: string): Promise<Uint8Array> {
    const file = this.pathOfUri(uri);
    try {
      return new Uint8Array(await fs.promises.readFile(file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(`artifact ${uri} not found`);
      throw e;
    }
  }

  async exists(uri: string): Promise<boolean> {
    return fs.existsSync(this.pathOfUri(uri));
  }

  async delete(uri: string): Promise<void> {
    const file = this.pathOfUri(uri);
    // An old record's file outside this folder may belong to the project this one was copied from: never ours to remove.
    if (!this.isInside(file)) return;
    await fs.promises.rm(file, { force: true });
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && !e.name.includes(".tmp-")) out.push(this.uriOf(p));
      }
    };
    walk(this.root);
    return out.sort();
  }

  private pathOfKey(key: string): string {
    const target = path.resolve(this.root, key);
    if (!target.startsWith(path.resolve(this.root) + path.sep)) {
      throw new ValidationError(`artifact key ${key} escapes the artifact folder`);
    }
    return target;
  }

  async canonical(uri: string): Promise<string> {
    const file = this.pathOfUri(uri);
    return this.isInside(file) ? this.uriOf(file) : uri;
  }

  private uriOf(file: string): string {
    return FOLDER_SCHEME + path.relative(this.root, file).split(path.sep).join("/");
  }

  private isInside(file: string): boolean {
    return file.startsWith(path.resolve(this.root) + path.sep);
  }

  private pathOfUri(uri: string): string {
    if (uri.startsWith(FOLDER_SCHEME)) return this.pathOfKey(uri.slice(FOLDER_SCHEME.length));
    if (!uri.startsWith("file://")) {
      throw new ValidationError(`not a folder artifact URI: ${uri}`, { hint: `the artifact store is the folder ${this.root}; its URIs start with ${FOLDER_SCHEME}` });
    }
    const file = fileURLToPath(uri);
    if (this.isInside(file)) return file;
    const key = LEGACY_KEY.exec(file.split(path.sep).join("/"))?.[1];
    if (key !== undefined) {
      const here = path.resolve(this.root, key);
      if (this.isInside(here) && fs.existsSync(here)) return here;
    }
    return file;
  }
}
