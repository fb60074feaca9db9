// `millrace deploy image` on examples/churn: the build context has what the issue asks (multi-stage Node 20 slim,
// non-root, npm ci --omit=dev, HEALTHCHECK on /ready, OCI labels with provenance), and its Dockerfile's steps,
// carried out here as processes (no engine runs on this machine), give a server that becomes ready and answers
// /predict with the provenance the labels promise.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, millraceAsync, repoRoot } from "./cli.js";
import { parseDockerfile, type Stage } from "./dockerfile-steps.js";
import { freePort } from "./prometheus-server.js";

// The image's npm ci compiles better-sqlite3 when its prebuilt binary cannot be fetched (none can here): ~4 minutes on
// 2 shared cores. By default the test runs the same npm ci with --ignore-scripts and puts in the binary this checkout
// built for the same version and Node ABI, standing in for the prebuilt download; MILLRACE_TEST_NATIVE_BUILD=1 runs
// the install scripts too.
const nativeBuild = process.env.MILLRACE_TEST_NATIVE_BUILD === "1";

describe("millrace deploy image", () => {
  let dir: string;
  let out: string;
  let result: any;
  let stages: Stage[];
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill("SIGTERM");
  });

  beforeAll(async () => {
    dir = copyExample("churn");
    const run = await millraceAsync(["run", dir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    // The project under git, as a user's would be: the image records its commit.
    fs.writeFileSync(path.join(dir, ".gitignore"), ".millrace/\n");
    const git = (...args: string[]) => spawnSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    expect(git("commit", "-q", "-m", "churn").status).toBe(0);
    out = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-image-"));
    const r = await millraceAsync(["deploy", "image", "-p", dir, "--out", out, "--no-build", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    result = r.json;
    stages = parseDockerfile(fs.readFileSync(path.join(out, "Dockerfile"), "utf8"));
  }, 120_000);

  it("writes a multi-stage, non-root Dockerfile on Node 20 slim with labels, a HEALTHCHECK and a .dockerignore", async () => {
    expect(stages.map((s) => s.from)).toEqual(["node:20-bookworm", "node:20-bookworm-slim"]);
    const [deps, runtime] = stages;
    expect(deps.runs).toEqual(["npm ci --omit=dev --no-audit --no-fund"]);
    expect(runtime.user).toBe("node");
    expect(runtime.copies.every((c) => c.chown === "node:node")).toBe(true);
    expect(runtime.healthcheck?.join(" ")).toMatch(/\/ready/);
    const models = (await millraceAsync(["models", "-p", dir, "--json"])).json as Array<{ version: number; runId: string; datasetHash: string; datasetId: string }>;
    const v1 = models.find((m) => m.version === 1)!;
    expect(runtime.labels).toMatchObject({
      "dev.millrace.model.name": "churn",
      "dev.millrace.model.version": "1",
      "dev.millrace.model.run-id": v1.runId,
      "dev.millrace.dataset.hash": v1.datasetHash,
      "dev.millrace.dataset.id": v1.datasetId,
      "org.opencontainers.image.version": "churn-v1",
    });
    const head = spawnSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).stdout.trim();
    expect(runtime.labels["org.opencontainers.image.revision"]).toBe(head);
    expect(result.labels).toMatchObject({ "dev.millrace.model.run-id": v1.runId });
    expect(fs.readFileSync(path.join(out, ".dockerignore"), "utf8")).toMatch(/node_modules/);
    // The registry snapshot and the served artifact, nothing of the lake.
    expect(result.files).toContain("project/.millrace/meta.db");
    expect(result.files.some((f: string) => f.startsWith("project/.millrace/artifacts/models/churn/") && f.endsWith("model.bin"))).toBe(true);
    expect(result.files.some((f: string) => f.includes("/lake/"))).toBe(false);
    // No engine answers on this machine: it says so and leaves the context.
    expect(result.build).toEqual({ engine: null, built: false, message: "not built (--no-build)" });
  });

  it("says so when no container engine answers, and still leaves the context", async () => {
    // docker and podman that fail `info`, first on PATH: the same answer on a machine where a real engine runs
    // (this test used to return early, asserting nothing, there).
    const shims = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-no-engine-"));
    for (const e of ["docker", "podman"]) fs.writeFileSync(path.join(shims, e), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const again = await millraceAsync(["deploy", "image", "-p", dir, "--out", out, "--json"], { PATH: `${shims}${path.delimiter}${process.env.PATH ?? ""}` });
    fs.rmSync(shims, { recursive: true, force: true });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json.build.built).toBe(false);
    expect(again.json.build.message).toMatch(/no container engine answers here .*docker build -t churn-serve:v1/);
    expect(fs.existsSync(path.join(out, "Dockerfile"))).toBe(true);
  }, 120_000);

  it("the Dockerfile's steps, run here, give a ready server answering /predict with the labelled provenance", async () => {
    const [deps, runtime] = stages;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-image-fs-"));
    // Absolute paths inside the image live under `root` here.
    const at = (p: string) => path.join(root, p);
    const rewrite = (w: string) => w.replaceAll("/app", at("/app"));

    // Stage 1: copy the context files, run its RUN lines in its WORKDIR.
    fs.mkdirSync(at(deps.workdir), { recursive: true });
    for (const c of deps.copies) for (const s of c.sources) fs.cpSync(path.join(out, s), path.join(at(deps.workdir), path.basename(s)), { recursive: true });
    for (const cmd of deps.runs) {
      const line = nativeBuild ? cmd : `${cmd} --ignore-scripts`;
      const r = spawnSync("sh", ["-c", line], { cwd: at(deps.workdir), encoding: "utf8", timeout: 900_000, env: { ...process.env, npm_config_build_from_source: "true" } });
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
    }
    const installed = path.join(at(deps.workdir), "node_modules");
    if (!nativeBuild) {
      const own = JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules/better-sqlite3/package.json"), "utf8")).version;
      const theirs = JSON.parse(fs.readFileSync(path.join(installed, "better-sqlite3/package.json"), "utf8")).version;
      expect(theirs).toBe(own);
      fs.cpSync(path.join(repoRoot, "node_modules/better-sqlite3/build/Release/better_sqlite3.node"), path.join(installed, "better-sqlite3/build/Release/better_sqlite3.node"));
    }
    // Dev dependencies stayed out.
    expect(fs.existsSync(path.join(installed, "vitest"))).toBe(false);
    expect(fs.existsSync(path.join(installed, "millrace/dist/cli/main.js"))).toBe(true);

    // Stage 2: a fresh root with the copied node_modules and project, owned by the image's user.
    const root2 = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-image-run-"));
    const at2 = (p: string) => path.join(root2, p);
    for (const c of runtime.copies) {
      const dest = path.isAbsolute(c.dest) ? at2(c.dest) : path.join(at2(runtime.workdir), c.dest);
      for (const s of c.sources) fs.cpSync(c.from ? path.join(root, s) : path.join(out, s), dest, { recursive: true });
    }
    const asNode = process.getuid?.() === 0;
    if (asNode) spawnSync("chown", ["-R", "1000:1000", root2]);
    const port = await freePort();
    const image = (w: string) => w.replaceAll("/app", at2("/app")).replace(/^8080$/, String(port));
    const argv = [...runtime.entrypoint, ...runtime.cmd].map(image);
    expect(argv.slice(0, 2)).toEqual(["node", at2("/app/node_modules/millrace/dist/cli/main.js")]);
    let logs = "";
    server = spawn(argv[0], argv.slice(1), {
      cwd: at2(runtime.workdir),
      env: { PATH: process.env.PATH, HOME: root2, ...runtime.env },
      ...(asNode ? { uid: 1000, gid: 1000 } : {}),
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout!.on("data", (d) => (logs += d));
    server.stderr!.on("data", (d) => (logs += d));

    // The HEALTHCHECK command itself decides readiness.
    const health = runtime.healthcheck!.map((w) => w.replace(":8080/", `:${port}/`));
    const deadline = Date.now() + 60_000;
    while (spawnSync(health[0], health.slice(1), { timeout: 5000 }).status !== 0) {
      expect(server.exitCode, logs).toBeNull();
      expect(Date.now() < deadline, `not ready in 60 s:\n${logs}`).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
    }
    const url = `http://127.0.0.1:${port}`;
    const models = (await millraceAsync(["models", "-p", dir, "--json"])).json as Array<{ version: number; inputExample: Record<string, unknown> }>;
    const example = models.find((m) => m.version === 1)!.inputExample;
    const res = await fetch(`${url}/predict`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [example] }) });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.provenance).toMatchObject({ model: "churn", version: 1, runId: runtime.labels["dev.millrace.model.run-id"], datasetHash: runtime.labels["dev.millrace.dataset.hash"] });
    expect(res.headers.get("x-millrace-version")).toBe("1");
    expect((await fetch(`${url}/v2/models/churn/ready`)).status).toBe(200);
    // Written by the image's user: the prediction log lands under the project.
    expect(fs.existsSync(at2("/app/project/.millrace"))).toBe(true);

    // The installed package alone (no checkout around it) renders manifests: the dashboard and rules it reads ship in it.
    const k8sOut = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-image-k8s-"));
    const k8s = spawnSync("node", [argv[1], "deploy", "k8s", "-p", dir, "--out", k8sOut, "--json"], { encoding: "utf8" });
    expect(k8s.status, k8s.stderr).toBe(0);
    expect(fs.readFileSync(path.join(k8sOut, "prometheusrule.yaml"), "utf8")).toMatch(/MillracePipelineFailed/);
  }, 900_000);

  it("--from-registry: no registry snapshot inside, the store URLs come from the environment", async () => {
    const regOut = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-image-reg-"));
    const r = await millraceAsync(["deploy", "image", "-p", dir, "--out", regOut, "--from-registry", "--no-build", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.files.filter((f: string) => f.includes(".millrace"))).toEqual([]);
    expect(r.json.tag).toBe("churn-serve:production");
    const [, runtime] = parseDockerfile(fs.readFileSync(path.join(regOut, "Dockerfile"), "utf8"));
    expect(runtime.labels["dev.millrace.model.mode"]).toBe("registry");
    expect(runtime.labels["dev.millrace.model.version"]).toBeUndefined();
    expect(fs.readFileSync(path.join(regOut, "Dockerfile"), "utf8")).toMatch(/MILLRACE_METADATA_URL .*MILLRACE_ARTIFACTS_URL/s);
  }, 120_000);
});
