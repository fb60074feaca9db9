// Which process owns a "running" record (pid, host, start time), and whether that process is still there.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { processAlive } from "../os-process.js";

export interface ProcessOwner {
  pid: number;
  host: string;
  /** When the process started, in a form only compared for equality; null where it cannot be read. */
  started: string | null;
}

let self: ProcessOwner | undefined;

/** This process, as a running record written by it names its owner. */
export function currentOwner(): ProcessOwner {
  self ??= { pid: process.pid, host: os.hostname(), started: processStartTime(process.pid) };
  return self;
}

/**
 * The start time of a process, or null when there is no such process. A pid alone is not an identity: the system
 * reuses it, so a record whose process died would look alive once another process takes its number.
 */
export function processStartTime(pid: number): string | null {
  if (process.platform === "linux") {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces and parentheses); starttime is field 22, in clock ticks since boot.
      const ticks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
      return `${bootId()}:${ticks}`;
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return out === "" ? null : out;
  } catch {
    return null;
  }
}

let boot: string | undefined;
/** Clock ticks restart at boot: with the boot id a start time stays unique across reboots. */
function bootId(): string {
  if (boot === undefined) {
    try {
      boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      boot = "";
    }
  }
  return boot;
}


/**
 * True when the owner certainly ended: it ran on this host and its pid is not alive, or is alive with another start
 * time (a new process took the number). A process on another host cannot be checked from here: never gone.
 */
export function ownerGone(owner: ProcessOwner): boolean {
  if (owner.host !== os.hostname()) return false;
  if (owner.pid === process.pid) return owner.started !== null && owner.started !== currentOwner().started;
  if (!processAlive(owner.pid)) return true;
  if (owner.started === null) return false;
  const now = processStartTime(owner.pid);
  return now !== null && now !== owner.started;
}
