// Scratch files of a table's writer and the sweep that removes what a killed writer left behind (partial data
// files of a version that never committed, scratch copies), run by the next writer of that table under its lock.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { tableDir } from "./table-log.js";
import { processAlive } from "../os-process.js";

/** The scratch folder of a table: <table>/_tmp, inside the lake so the next writer can find a dead one's files. */
export const scratchDir = (root: string, table: string) => path.join(tableDir(root, table), "_tmp");

/** A new scratch file name, prefixed by this process id so a sweep can tell a live writer's file from a dead one's. */
export function scratchFile(dir: string, ext: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${process.pid}-${randomBytes(6).toString("hex")}.${ext}`);
}

/** A scratch file beside a data file being written (data/<f>.parquet → _tmp/<pid>-<rand>.<ext>). */
export const scratchBeside = (dataFileAbs: string, ext: string) => scratchFile(path.join(path.dirname(path.dirname(dataFileAbs)), "_tmp"), ext);


function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Data files are named v<version>-<rand>-<index>.parquet by the writer of that version. */
const versionOf = (name: string): number | null => {
  const m = /^v(\d+)-/.exec(name);
  return m ? Number(m[1]) : null;
};

/**
 * Removes, in each of `tables`: data files of versions after `current` (a writer died before its commit; no
 * other writer can be between build and commit since the caller holds the lock), and scratch files whose
 * process is gone. Returns the removed paths.
 */
export function sweepOrphans(root: string, tables: string[], current: number, opts: { dataFiles?: boolean } = {}): string[] {
  const removed: string[] = [];
  for (const t of tables) {
    const data = path.join(tableDir(root, t), "data");
    for (const name of opts.dataFiles === false ? [] : safeList(data)) {
      const v = versionOf(name);
      if (v !== null && v <= current) continue;
      // Anything else in data/ is a file of an uncommitted version (or a stray partial write).
      fs.rmSync(path.join(data, name), { force: true });
      removed.push(path.join(data, name));
    }
    const tmp = scratchDir(root, t);
    for (const name of safeList(tmp)) {
      const pid = Number(name.split("-", 1)[0]);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
      fs.rmSync(path.join(tmp, name), { force: true, recursive: true });
      removed.push(path.join(tmp, name));
    }
  }
  return removed;
}
