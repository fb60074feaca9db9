import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configReference } from "./config-reference.js";

describe("millrace.yaml reference", () => {
  it("docs/config.md is what the schema says today (run npm run docs:config after changing src/project/config.ts)", () => {
    const file = path.resolve(import.meta.dirname, "../../docs/config.md");
    expect(fs.readFileSync(file, "utf8")).toBe(configReference());
  });

  it("lists nested keys, defaults, choices and each kind of source and quality rule", () => {
    const doc = configReference();
    expect(doc).toContain("| `registry.gate.min_rows` | integer (≥ 1) | 100 |");
    expect(doc).toContain("| `dataset.task` (required) | one of \"binary\", \"multiclass\", \"regression\" |");
    expect(doc).toContain("### checks.<name>[] with rule: relationships");
    expect(doc).toMatch(/### sources\[\] with name \+ postgres/);
  });
});
