// The serve banner's drift line: the project path as seen from the current folder, and the alias actually served.
import { describe, expect, it } from "vitest";
import { driftCommand } from "./serve.js";

describe("driftCommand", () => {
  it("names the project folder relative to cwd, even a sibling whose name starts like cwd", () => {
    expect(driftCommand("/work/main", "/work/main", "production", "production")).toBe("millrace drift .");
    expect(driftCommand("/work/main/examples/churn", "/work/main", "production", "production")).toBe("millrace drift examples/churn");
    // The old banner printed "millrace drift ." here (cwd /work/main is a string prefix of /work/main2).
    expect(driftCommand("/work/main2", "/work/main", "production", "production")).toBe("millrace drift /work/main2");
    expect(driftCommand("/tmp/my project", "/work", "production", "production")).toBe("millrace drift '/tmp/my project'");
  });

  it("adds --alias when the server serves another alias than drift's default", () => {
    expect(driftCommand("/p", "/p", "challenger", "production")).toBe("millrace drift . --alias challenger");
  });
});
