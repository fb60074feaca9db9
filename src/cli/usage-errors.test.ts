// Through the built CLI on a run churn project: bad option values exit 2 with a message naming the option, the value and
// the expected form (a JSON error under --json); lookups of missing things exit 1 saying what exists; help texts.
import fs from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, millrace, millraceAsync } from "../../test/cli.js";

let dir: string;
beforeAll(() => {
  dir = copyExample("churn");
  const r = millrace(["run", dir, "-q"]);
  expect(r.code, r.out).toBe(0);
}, 180_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Exit 2, the option and the bad value named, the expected form said, no stack and no Node text. */
function usageError(args: string[], option: RegExp, value: string, expected: RegExp): void {
  const r = millrace(args);
  expect(r.code, r.out).toBe(2);
  expect(r.stderr).toMatch(option);
  expect(r.stderr).toContain(`'${value}'`);
  expect(r.stderr).toMatch(expected);
  expect(r.out).not.toMatch(/\n\s+at |datatype mismatch|NaN|serving /);
  const j = millrace([...args, "--json"]);
  expect(j.code, j.out).toBe(2);
  expect(j.json, j.stdout).toMatchObject({ error: "usage_error" });
  expect(j.json.message).toMatch(option);
  expect(j.json.message).toMatch(expected);
}

describe("bad option values are usage errors (exit 2)", () => {
  it("runs --limit abc / -5", () => {
    usageError(["runs", "-p", dir, "--limit", "abc"], /--limit/, "abc", /whole number ≥ 1/);
    usageError(["runs", "-p", dir, "--limit", "-5"], /--limit/, "-5", /whole number ≥ 1/);
  });

  it("pipeline runs --limit abc / 0 (it fell back to 20)", () => {
    usageError(["pipeline", "runs", "-p", dir, "--limit", "abc"], /--limit/, "abc", /whole number ≥ 1/);
    usageError(["pipeline", "runs", "-p", dir, "-n", "0"], /--limit/, "0", /whole number ≥ 1/);
  });

  it("drift --since notadate, --limit abc, --limit -3", () => {
    usageError(["drift", dir, "--since", "notadate"], /--since/, "notadate", /ISO date/);
    usageError(["drift", dir, "--limit", "abc"], /--limit/, "abc", /whole number ≥ 1/);
    usageError(["drift", dir, "--limit", "-3"], /--limit/, "-3", /whole number ≥ 1/);
  });

  it("serve --port 99999 / abc fail before anything is served", () => {
    usageError(["serve", dir, "--port", "99999"], /--port/, "99999", /port number 1-65535/);
    usageError(["serve", dir, "--port", "abc"], /--port/, "abc", /port number 1-65535/);
  });

  it("deploy smoke notaurl answers at once", () => {
    usageError(["deploy", "smoke", "notaurl", "-p", dir], /url/, "notaurl", /http:\/\/ or https:\/\//);
  });

  it("watch --every abc / -1, predict --chunk 0 / abc and -o x.txt, train --cv 1, diff T a b, vacuum --keep abc", () => {
    usageError(["watch", dir, "--every", "abc"], /--every/, "abc", /duration > 0/);
    usageError(["watch", dir, "--every", "-1"], /--every/, "-1", /duration > 0/);
    usageError(["predict", "-p", dir, "-i", "in.csv", "-o", "out.csv", "--chunk", "0"], /--chunk/, "0", /whole number ≥ 1/);
    usageError(["predict", "-p", dir, "-i", "in.csv", "-o", "out.csv", "--chunk", "abc"], /--chunk/, "abc", /whole number ≥ 1/);
    usageError(["predict", "-p", dir, "-i", "in.csv", "-o", "x.txt"], /--output/, "x.txt", /\.csv or \.parquet or \.ndjson or \.jsonl or \.json/);
    usageError(["train", "in.csv", "-t", "y", "--cv", "1"], /--cv/, "1", /0 \(off\) or a whole number ≥ 2/);
    usageError(["diff", "silver.customers", "a", "b", "-p", dir], /from/, "a", /whole number ≥ 1/);
    usageError(["vacuum", "-p", dir, "--keep", "abc"], /--keep/, "abc", /whole number ≥ 1/);
  });
});

describe("lookups and output", () => {
  it("runs --sort nonsense says no run has that metric and lists the sortable ones", () => {
    const r = millrace(["runs", "-p", dir, "--sort", "nonsense"]);
    expect(r.code, r.out).toBe(1);
    expect(r.stderr).toMatch(/no run has metric nonsense\n\s+hint: sort by one of: .*roc_auc/);
  });

  it("models history nope: no model named nope, exit 1, the known models listed", () => {
    const r = millrace(["models", "history", "nope", "-p", dir, "--json"]);
    expect(r.code, r.out).toBe(1);
    expect(r.json).toMatchObject({ error: "not_found", message: "no model named nope", hint: "models in churn: churn" });
  });

  it("runs delete nope --json prints the error as JSON (the variadic ids are not taken for the options)", () => {
    const r = millrace(["runs", "delete", "nope", "-p", dir, "--json"]);
    expect(r.code, r.out).toBe(1);
    // No run has that id (nor starts with it): not found, with where to look (runs-find.ts, shared by runs compare).
    expect(r.json, r.out).toMatchObject({ error: "not_found", message: "no run nope", hint: "list runs with: millrace runs --all" });
  });

  it("runs, models and tables take the project folder as a positional argument", () => {
    for (const cmd of ["runs", "models", "tables"]) {
      const r = millrace([cmd, dir, "--json"]);
      expect(r.code, `${cmd}: ${r.out}`).toBe(0);
      expect(Array.isArray(r.json) && r.json.length > 0, `${cmd}: ${r.stdout}`).toBe(true);
    }
  });

  it("profile prints a table in text mode and JSON only with --json", () => {
    const text = millrace(["profile", "silver.customers", "-p", dir]);
    expect(text.code, text.out).toBe(0);
    expect(text.stdout).toMatch(/^silver\.customers@1: 7,043 rows, \d+ columns/);
    expect(text.stdout).toMatch(/\ncolumn\s+type\s+nulls\s+distinct/);
    expect(text.stdout.trimStart().startsWith("{")).toBe(false);
    expect(millrace(["profile", "silver.customers", "-p", dir, "--json"]).json).toMatchObject({ table: "silver.customers", version: 1 });
  });

  it("serve on a busy port: one line saying so, exit 1, no stack", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await millraceAsync(["serve", dir, "--host", "127.0.0.1", "--port", String(busy)]);
      expect(r.code, r.out).toBe(1);
      expect(r.stderr).toContain(`error: port ${busy} is in use on 127.0.0.1; pass --port N or stop the other server`);
      expect(r.out).not.toMatch(/EADDRINUSE|\n\s+at /);
      expect(r.out).not.toMatch(/serving churn/); // the model-load line waits for the port
      const j = await millraceAsync(["serve", dir, "--host", "127.0.0.1", "--port", String(busy), "--json"]);
      expect(j.code, j.out).toBe(1);
      expect(j.json).toMatchObject({ error: "port_in_use" });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);
});

describe("help texts", () => {
  it("runs and models describe their subcommands; runs does not claim gc's job", () => {
    const runs = millrace(["runs", "--help"]).stdout.replace(/\s+/g, " ");
    expect(runs).not.toMatch(/unreferenced artifacts/);
    expect(runs).toMatch(/delete \[options\] <run-ids\.\.\.> delete runs/);
    expect(runs).toMatch(/annotate \[options\] <run-id> set a run's note/);
    const models = millrace(["models", "--help"]).stdout.replace(/\s+/g, " ");
    for (const sub of ["promote \\[options\\] <name> <version> point", "rollback \\[options\\] <name> move", "archive \\[options\\] <name> <version> archive", "history \\[options\\] <name> every move"]) {
      expect(models).toMatch(new RegExp(sub));
    }
  });
});

describe("materialize", () => {
  it("prints one result line per view on stdout, nothing on stderr", () => {
    const loan = copyExample("loan-approval");
    try {
      expect(millrace(["run", loan, "-q"]).code).toBe(0);
      const r = millrace(["materialize", loan, "--full"]);
      expect(r.code, r.out).toBe(0);
      expect(r.stdout).toMatch(/^✔ applicant_profile ← silver\.applicant_profiles@1 \(full\): 4,454 written/m);
      expect(r.stdout).toMatch(/^✔ loan_request ← /m);
      expect(r.stderr).toBe("");
    } finally {
      fs.rmSync(loan, { recursive: true, force: true });
    }
  }, 120_000);
});
