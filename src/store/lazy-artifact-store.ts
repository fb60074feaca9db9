// An artifact store opened on first use, so a command that never touches artifacts never loads its client library.
import type { ArtifactStore } from "./artifact-store.js";

export class LazyArtifactStore implements ArtifactStore {
  private store: Promise<ArtifactStore> | undefined;

  constructor(private readonly open: () => Promise<ArtifactStore>) {}

  private inner(): Promise<ArtifactStore> {
    // A failed open is not cached: the next call tries again (and reports the error again).
    this.store ??= this.open().catch((e: unknown) => {
      this.store = undefined;
      throw e;
    });
    return this.store;
  }

  async put(key: string, bytes: Uint8Array): Promise<string> {
    return (await this.inner()).put(key, bytes);
  }
  async get(uri: string): Promise<Uint8Array> {
    return (await this.inner()).get(uri);
  }
  async exists(uri: string): Promise<boolean> {
    return (await this.inner()).exists(uri);
  }
  async delete(uri: string): Promise<void> {
    return (await this.inner()).delete(uri);
  }
  async list(): Promise<string[]> {
    return (await this.inner()).list();
  }
  async canonical(uri: string): Promise<string> {
    return (await this.inner()).canonical(uri);
  }
}
