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
