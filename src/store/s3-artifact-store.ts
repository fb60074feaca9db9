// Artifacts on S3-compatible storage (AWS S3, MinIO, Ceph; s3rver in tests): the same interface as the folder store.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NotFoundError, ValidationError } from "../errors.js";
import type { ArtifactStore } from "./artifact-store.js";

export interface S3Options {
  /** s3://bucket/prefix */
  url: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;

  constructor(opts: S3Options) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(opts.url);
    if (!m) throw new ValidationError(`not an S3 URL: ${opts.url}`, { hint: "write s3://bucket/prefix" });
    this.bucket = m[1];
    this.prefix = m[2].replace(/\/+$/, "");
    const endpoint = opts.endpoint ?? process.env.MILLRACE_S3_ENDPOINT ?? process.env.AWS_ENDPOINT_URL;
    const accessKeyId = opts.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = opts.secretAccessKey ?? process.env.AWS_SECRET_ACCESS_KEY;
    this.client = new S3Client({
      region: opts.region ?? process.env.AWS_REGION ?? "us-east-1",
      // Path-style addressing works with MinIO, Ceph and s3rver, which have no per-bucket DNS names.
      forcePathStyle: true,
      ...(endpoint ? { endpoint } : {}),
      ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    });
  }

  private key(k: string): string {
    if (k.split("/").some((part) => part === ".." || part === "")) throw new ValidationError(`invalid artifact key ${k}`);
    return this.prefix ? `${this.prefix}/${k}` : k;
  }

  private keyOfUri(uri: string): string {
    const head = `s3://${this.bucket}/`;
    if (!uri.startsWith(head)) throw new ValidationError(`artifact ${uri} is not in s3://${this.bucket}`);
    return uri.slice(head.length);
  }

  async put(key: string, bytes: Uint8Array): Promise<string> {
    const k = this.key(key);
    if (await this.existsKey(k)) throw new ValidationError(`artifact ${key} already exists`, { hint: "artifact keys are write-once; use a new key" });
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: k, Body: bytes }));
    return `s3://${this.bucket}/${k}`;
  }

  async get(uri: string): Promise<Uint8Array> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOfUri(uri) }));
      return await out.Body!.transformToByteArray();
    } catch (e) {
      if (isMissing(e)) throw new NotFoundError(`artifact ${uri} not found`);
      throw e;
    }
  }

  exists(uri: string): Promise<boolean> {
    return this.existsKey(this.keyOfUri(uri));
  }

  private async existsKey(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  async delete(uri: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOfUri(uri) }));
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix ? `${this.prefix}/` : undefined, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) out.push(`s3://${this.bucket}/${o.Key}`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async canonical(uri: string): Promise<string> {
    return uri;
  }

  close(): void {
    this.client.destroy();
  }
}

function isMissing(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === "NoSuchKey" || err?.name === "NotFound" || err?.$metadata?.httpStatusCode === 404;
}
