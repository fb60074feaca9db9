// The lazy store opens its backend on first use only, forwards every call, and retries an open that failed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FolderArtifactStore } from "./artifact-store.js";
import { LazyArtifactStore } from "./lazy-artifact-store.js";

describe("LazyArtifactStore", () => {
  it("opens on first use, forwards calls, and retries a failed open", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-lazy-"));
    let opens = 0;
    const store = new LazyArtifactStore(async () => {
      opens++;
      if (opens === 1) throw new Error("endpoint unreachable");
      return new FolderArtifactStore(root);
    });
    expect(opens).toBe(0);
    await expect(store.list()).rejects.toThrow("endpoint unreachable");
    const uri = await store.put("models/m/1/model.bin", new Uint8Array([1, 2, 3]));
    expect(opens).toBe(2);
    expect(await store.exists(uri)).toBe(true);
    expect([...(await store.get(uri))]).toEqual([1, 2, 3]);
    expect(await store.list()).toEqual([uri]);
    await store.delete(uri);
    expect(await store.exists(uri)).toBe(false);
    expect(opens).toBe(2);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
