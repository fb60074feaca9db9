// A SQL model that does not bind is reported at its own file and line, also when the model has quarantine rules (their
// predicates are compiled against the model's columns before it is built, which is where the error first shows).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyExample, millrace } from "./cli.js";

describe("a SQL model with a typo", () => {
  it("names the model's file and the file's own line, with a hint", () => {
    const dir = copyExample("churn");
    const file = path.join(dir, "models/silver/customers.sql");
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const at = lines.findIndex((l) => l.trim() === "tenure,");
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at].replace("tenure", "tenur");
    fs.writeFileSync(file, lines.join("\n"));
    const r = millrace(["run", dir, "--json"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`customers.sql:${at + 1}: Binder Error`);
    expect(r.out).toContain(`fix line ${at + 1} of`);
  });
});
