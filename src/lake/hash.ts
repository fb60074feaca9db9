// Content hashes for source files, data files and versions (sha256, hex).
import fs from "node:fs";
import { createHash } from "node:crypto";

export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest("hex");
}

export function sha256Text(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
}
