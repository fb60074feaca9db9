// The artifact store interface (models, reports) and its local-folder adapter; an S3 adapter implements the same.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { NotFoundError, ValidationError } from "../errors.js";

export interface ArtifactStore {
  /** Stores bytes under a key like `models/churn/3/model.bin`; returns the artifact URI. Never overwrites. */
  put(key: string, bytes: Uint8Array): Promise<string>;
  get(uri: string): Promise<Uint8Array>;
  exists(uri: string): Promise<boolean>;
  delete(uri: string): Promise<void>;
  /** URIs of every stored artifact (for garbage collection). */
  list(): Promise<string[]>;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Keeps artifacts as files under a root folder; URIs are file:// URLs. Writes are temp-file + rename. */
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
    return pathToFileURL(target).href;
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
    await fs.promises.rm(this.pathOfUri(uri), { force: true });
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && !e.name.includes(".tmp-")) out.push(pathToFileURL(p).href);
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

  private pathOfUri(uri: string): string {
    if (!uri.startsWith("file://")) throw new ValidationError(`not a file artifact URI: ${uri}`);
    return fileURLToPath(uri);
  }
}
