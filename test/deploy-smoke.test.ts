// `millrace deploy smoke URL` against a real `millrace serve` of churn: passes on the served version, and fails
// (exit 1, smoke_failed with a hint) for a wrong model name, a wrong expected version and a server that is not there.
import { afterAll, describe, expect, it } from "vitest";
import { copyExample, millraceAsync, startServe } from "./cli.js";
import { freePort } from "./prometheus-server.js";

describe("millrace deploy smoke", () => {
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  afterAll(() => server?.proc.kill("SIGTERM"));

  it("checks readiness and the input example, and fails when they do not hold", async () => {
    const dir = copyExample("churn");
    const run = await millraceAsync(["run", dir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    server = await startServe(dir);

    const ok = await millraceAsync(["deploy", "smoke", server.url, "-p", dir, "--expect-version", "1", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json.ready.status).toBe(200);
    expect(ok.json.predict.provenance).toMatchObject({ model: "churn", version: 1 });
    expect(ok.json.predict.prediction).toBeTruthy();

    const wrongModel = await millraceAsync(["deploy", "smoke", server.url, "-p", dir, "--model", "nope", "--timeout", "1", "--json"]);
    expect(wrongModel.code).toBe(1);
    expect(wrongModel.json).toMatchObject({ error: "smoke_failed", hint: expect.stringMatching(/does not serve a model named nope/) });

    const wrongVersion = await millraceAsync(["deploy", "smoke", server.url, "-p", dir, "--expect-version", "2", "--json"]);
    expect(wrongVersion.code).toBe(1);
    expect(wrongVersion.json.message).toMatch(/churn v1, expected churn v2/);

    const nobody = await millraceAsync(["deploy", "smoke", `http://127.0.0.1:${await freePort()}`, "-p", dir, "--timeout", "1", "--json"]);
    expect(nobody.code).toBe(1);
    expect(nobody.json.message).toMatch(/answered nothing/);
  }, 120_000);
});
