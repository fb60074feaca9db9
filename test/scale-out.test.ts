// Scale-out is configuration, not code: the same churn pipeline with its metadata in PostgreSQL and its artifacts
// on S3 (s3rver on loopback), then served from there — through the real CLI.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, millraceAsync, startServe } from "./cli.js";
import { dropSchema, freshSchema, postgresUnavailable, postgresUrl, requireServices } from "../src/store/test-helpers/services.js";

// Async only: s3rver runs inside this process, so a blocking spawnSync would deadlock the CLI's S3 calls.
const millrace = millraceAsync;
const pgReason = await postgresUnavailable();
if (pgReason && requireServices) throw new Error(`${pgReason}; CI must run the scale-out test`);
if (pgReason) console.warn(`skipping scale-out test: ${pgReason}`);

describe.skipIf(pgReason !== null)("churn on PostgreSQL + S3", () => {
  const schema = freshSchema("scaleout");
  let s3: S3rver;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  beforeAll(async () => {
    s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: fs.mkdtempSync(path.join(os.tmpdir(), "millrace-s3-")), configureBuckets: [{ name: "ml", configs: [] }] });
    const { port } = (await s3.run()) as unknown as { port: number };
    env = {
      ...process.env,
      NO_COLOR: "1",
      MILLRACE_METADATA_URL: `${postgresUrl}?schema=${schema}`,
      MILLRACE_ARTIFACTS_URL: "s3://ml/churn",
      MILLRACE_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
    };
    dir = copyExample("churn");
  });
  afterAll(async () => {
    await s3?.close();
    await dropSchema(schema);
  });

  it("runs, registers in PostgreSQL with the artifact on S3, and serves it", async () => {
    const run = await millrace(["run", dir, "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).model).toMatchObject({ name: "churn", version: 1, promoted: true });
    expect(fs.existsSync(path.join(dir, ".millrace/meta.db"))).toBe(false);
    const models = JSON.parse((await millrace(["models", "-p", dir, "--json"], env)).stdout);
    expect(models[0].artifactUri).toMatch(/^s3:\/\/ml\/churn\/models\/churn\//);

    const served = await startServe(dir, env);
    try {
      const res = await fetch(`${served.url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [models[0].inputExample] }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).provenance.artifactUri).toBe(models[0].artifactUri);
    } finally {
      served.proc.kill("SIGTERM");
    }
  });
});
