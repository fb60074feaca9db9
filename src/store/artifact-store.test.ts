// Both artifact stores pass the same contract: the folder store, and S3 through a real s3rver on loopback.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FolderArtifactStore, type ArtifactStore } from "./artifact-store.js";
import { S3ArtifactStore } from "./s3-artifact-store.js";

let s3server: S3rver;
let endpoint = "";
beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-s3rver-"));
  s3server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: "artifacts", configs: [] }] });
  const addr = (await s3server.run()) as unknown as { port: number };
  endpoint = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await s3server?.close();
});

const stores: { name: string; make: () => ArtifactStore }[] = [
  { name: "folder", make: () => new FolderArtifactStore(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-art-"))) },
  {
    name: "s3",
    make: () => new S3ArtifactStore({ url: `s3://artifacts/p${Math.random().toString(36).slice(2, 8)}`, endpoint, accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }),
  },
];

describe.each(stores)("$name artifact store", ({ make }) => {
  it("puts, gets, lists and deletes bytes; keys are write-once", async () => {
    const store = make();
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    const uri = await store.put("models/churn/run-1/model.bin", bytes);
    expect(await store.exists(uri)).toBe(true);
    expect(Buffer.from(await store.get(uri)).equals(Buffer.from(bytes))).toBe(true);
    await expect(store.put("models/churn/run-1/model.bin", bytes)).rejects.toThrow("already exists");
    const other = await store.put("runs/r2/model.bin", new Uint8Array([1]));
    expect(await store.list()).toEqual([uri, other].sort());
    await store.delete(uri);
    expect(await store.exists(uri)).toBe(false);
    await expect(store.get(uri)).rejects.toThrow("not found");
    expect(await store.list()).toEqual([other]);
  });

  it("refuses keys that climb out of the store", async () => {
    const store = make();
    await expect(store.put("../escape.bin", new Uint8Array([1]))).rejects.toThrow();
  });
});

describe("folder artifact store URIs are relative to its folder", () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "millrace-art-"));

  it("writes artifacts:<key> URIs that a moved folder still reads", async () => {
    const parent = tmp();
    const store = new FolderArtifactStore(path.join(parent, "a"));
    const uri = await store.put("models/churn/run-1/model.bin", new Uint8Array([7, 8]));
    expect(uri).toBe("artifacts:models/churn/run-1/model.bin");
    fs.renameSync(path.join(parent, "a"), path.join(parent, "b"));
    const moved = new FolderArtifactStore(path.join(parent, "b"));
    expect([...(await moved.get(uri))]).toEqual([7, 8]);
    expect(await moved.list()).toEqual([uri]);
  });

  it("reads an old absolute file:// URI from its own folder when the key is there, from the old path otherwise", async () => {
    const runId = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
    const original = new FolderArtifactStore(tmp());
    await original.put(`runs/${runId}/model.bin`, new Uint8Array([1]));
    await original.put("models/churn/run-x/model.bin", new Uint8Array([2]));
    const oldRun = `file://${path.join(original.root, "runs", runId, "model.bin")}`;
    const oldModel = `file://${path.join(original.root, "models/churn/run-x/model.bin")}`;
    // A copy holds its own bytes under the same keys (different, so the test sees which file was read).
    const copyRoot = tmp();
    fs.mkdirSync(path.join(copyRoot, "models/churn/run-x"), { recursive: true });
    fs.writeFileSync(path.join(copyRoot, "models/churn/run-x/model.bin"), new Uint8Array([9]));
    const copy = new FolderArtifactStore(copyRoot);
    expect([...(await copy.get(oldModel))]).toEqual([9]);
    expect(await copy.canonical(oldModel)).toBe("artifacts:models/churn/run-x/model.bin");
    // Not in the copy: the old path is still read (an artifact folder that was reconfigured, not copied).
    expect([...(await copy.get(oldRun))]).toEqual([1]);
    expect(await copy.canonical(oldRun)).toBe(oldRun);
    await expect(copy.get("s3://bucket/x")).rejects.toThrow("not a folder artifact URI");
    // Deleting through the copy removes the copy's file, never the original's.
    await copy.delete(oldRun);
    expect(await original.exists(oldRun)).toBe(true);
    await copy.delete(oldModel);
    expect(fs.existsSync(path.join(copyRoot, "models/churn/run-x/model.bin"))).toBe(false);
    expect(await original.exists(oldModel)).toBe(true);
  });

  it("refuses an artifacts: URI that climbs out of the folder", async () => {
    const store = new FolderArtifactStore(tmp());
    await expect(store.get("artifacts:../../etc/passwd")).rejects.toThrow("escapes");
  });
});
