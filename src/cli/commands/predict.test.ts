// `millrace predict -m FILE` scores with what `millrace train --save` wrote, outside any project; columns the train
// screen dropped (an identifier, a constant) are simply not inputs. Without a project or a file, the error says what to do.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, millrace } from "../../../test/cli.js";

describe("millrace predict with a model file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-predict-file-"));
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `A${7000 + i},east,${18 + (i % 60)},${(i * 5) % 13},${(i % 60) + ((i * 5) % 13) > 40 ? "yes" : "no"}`);
  const train = path.join(dir, "train.csv");
  fs.writeFileSync(train, ["id,site,age,dose,left", ...rows(300)].join("\n") + "\n");
  const input = path.join(dir, "in.csv");
  fs.writeFileSync(input, ["id,site,age,dose,left", ...rows(5)].join("\n") + "\n");

  it("scores without a project; the dropped columns are not inputs", () => {
    if (!fs.existsSync(cli)) throw new Error("dist/ is missing: npx tsc -p tsconfig.build.json");
    const model = path.join(dir, "m.bin");
    const t = millrace(["train", train, "--target", "left", "-m", "logistic_regression", "--save", model, "--json"]);
    expect(t.code, t.out).toBe(0);
    expect(t.json.dropped.map((d: { column: string }) => d.column)).toEqual(["id", "site"]);
    const out = path.join(dir, "out.csv");
    const r = millrace(["predict", "-i", input, "-o", out, "-m", model, "-p", dir, "--json"]);
    expect(r.code, r.out).toBe(0);
    expect(r.json).toMatchObject({ model, version: null, rows: 5, scored: 5 });
    expect(fs.readFileSync(out, "utf8").split("\n")[0]).toBe("prediction,probability_no,probability_yes");
    // The same input without the dropped columns scores alike: they were never read.
    const slim = path.join(dir, "slim.csv");
    fs.writeFileSync(slim, fs.readFileSync(input, "utf8").split("\n").map((l) => l.split(",").slice(2).join(",")).join("\n"));
    expect(millrace(["predict", "-i", slim, "-o", path.join(dir, "slim-out.csv"), "-m", model, "--json"]).json).toMatchObject({ scored: 5 });
    expect(fs.readFileSync(path.join(dir, "slim-out.csv"), "utf8")).toBe(fs.readFileSync(out, "utf8"));
  });

  it("says what to do without a project or with a file that is not there", () => {
    const none = millrace(["predict", "-i", input, "-o", path.join(dir, "x.csv"), "-p", dir]);
    expect(none.code).toBe(1);
    expect(none.out).toContain("score with a model file instead: millrace predict -i IN -o OUT -m model.bin");
    expect(millrace(["predict", "-i", input, "-o", path.join(dir, "x.csv"), "-m", path.join(dir, "nope.bin")]).out).toContain("no such model file");
  });
});
