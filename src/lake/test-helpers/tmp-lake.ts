// Test helper: temp folders and lakes that are removed after each test.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { Lake, type LakeOptions } from "../lake.js";

export function useTempLakes() {
  const dirs: string[] = [];
  const lakes: Lake[] = [];
  afterEach(async () => {
    for (const l of lakes.splice(0)) await l.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-lake-"));
    dirs.push(d);
    return d;
  };
  const open = async (root: string, opts: LakeOptions = {}): Promise<Lake> => {
    const lake = await Lake.open(root, opts);
    lakes.push(lake);
    return lake;
  };
  const write = (dir: string, name: string, text: string | Buffer): string => {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  };
  /** A fresh lake in a fresh folder, with the folder for source files. */
  const fresh = async (opts: LakeOptions = {}) => {
    const dir = tmp();
    return { dir, lake: await open(path.join(dir, "lake"), opts) };
  };
  return { tmp, open, write, fresh };
}
