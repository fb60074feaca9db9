import { describe, expect, it } from "vitest";
import { scavengeFlag } from "./server.js";

describe("scavengeFlag", () => {
  it("turns parallel scavenge off by default and follows an explicit option", () => {
    expect(scavengeFlag(undefined, [])).toBe("--no-parallel-scavenge");
    expect(scavengeFlag(false, [])).toBe("--no-parallel-scavenge");
    expect(scavengeFlag(true, [])).toBe("--parallel-scavenge");
  });

  it("leaves a choice given to node alone unless the option is set", () => {
    expect(scavengeFlag(undefined, ["--parallel-scavenge"])).toBeNull();
    expect(scavengeFlag(undefined, ["--no-parallel_scavenge"])).toBeNull();
    expect(scavengeFlag(undefined, [], "--max-old-space-size=512 --parallel-scavenge")).toBeNull();
    expect(scavengeFlag(false, ["--parallel-scavenge"])).toBe("--no-parallel-scavenge");
  });

  it("does not take other flags for the choice", () => {
    expect(scavengeFlag(undefined, ["--parallel-scavenge-task-trigger=80", "--trace-gc"], "--enable-source-maps")).toBe("--no-parallel-scavenge");
  });
});
