// `millrace train` takes its learners and their parameters from the model registry (needs the dist/ build).
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, millrace } from "../../test/cli.js";
import { MODELS } from "./models.js";
import { AUTO_INNER } from "./param-schemas.js";

describe("millrace train and the model registry", () => {
  it("needs the compiled CLI", () => {
    // Fail loudly rather than skip: build with `npx tsc -p tsconfig.build.json`.
    expect(fs.existsSync(cli), `${cli} is missing: run npx tsc -p tsconfig.build.json`).toBe(true);
  });

  it("--help lists every registered learner", () => {
    const r = millrace(["train", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toContain(`learner (default auto: a portfolio tried by CV on the train rows within --time-budget): ${Object.keys(MODELS).join(", ")}`);
  });

  it("--help says which members voting and stacking take by default, per task (the registry's AUTO_INNER)", () => {
    const help = millrace(["train", "--help"]).stdout.replace(/\s+/g, " ");
    expect(help).toContain(`members default to ${AUTO_INNER.members.classification} for classification, ${AUTO_INNER.members.regression} for regression`);
  });

  it("-p max_depht=3 is refused by name before the data is read (the file does not even exist)", () => {
    const r = millrace(["train", "/nonexistent/data.csv", "-t", "y", "-m", "gbdt", "-p", "max_depht=3"]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/unknown parameter "max_depht" for model gbdt \(valid parameters: n_estimators, /);
    expect(r.out).not.toMatch(/no such file/);
    const m = millrace(["train", "/nonexistent/data.csv", "-t", "y", "-m", "svm"]);
    expect(m.out).toMatch(/unknown model "svm" \(available models: auto, logistic_regression, /);
  });
});
