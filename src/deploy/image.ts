// `millrace deploy image`: writes a container build context for `millrace serve` (Dockerfile, .dockerignore, the npm
// package and lockfile, the project, and in baked mode a registry snapshot with the served artifacts), then builds it
// with docker or podman when one answers.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ConfigError } from "../errors.js";
import type { Project } from "../project/load-project.js";
import { writeAppPackage, type AppPackage } from "./app-package.js";
import { DOCKERIGNORE, imageLabels, renderDockerfile, type ModelMode } from "./dockerfile.js";
import { deployFacts, dnsName, type DeployFacts } from "./facts.js";

export interface ImageOptions {
  out: string;
  mode: ModelMode;
  /** Try docker/podman (default true); false only writes the context. */
  build?: boolean;
  tag?: string;
}

export interface ImageResult {
  out: string;
  mode: ModelMode;
  tag: string;
  files: string[];
  labels: Record<string, string>;
  model: { name: string; alias: string; version: number | null };
  lockFrom: AppPackage["lockFrom"];
  build: { engine: string | null; built: boolean; message: string };
}

export async function writeImageContext(project: Project, opts: ImageOptions): Promise<ImageResult> {
  const facts = await deployFacts(project, { requireVersion: opts.mode === "baked" });
  const out = path.resolve(opts.out);
  fs.mkdirSync(out, { recursive: true });
  const projectOut = path.join(out, "project");
  fs.rmSync(projectOut, { recursive: true, force: true });
  fs.mkdirSync(projectOut, { recursive: true });
  fs.copyFileSync(path.join(project.dir, "millrace.yaml"), path.join(projectOut, "millrace.yaml"));
  if (fs.existsSync(project.paths.models)) fs.cpSync(project.paths.models, path.join(projectOut, path.relative(project.dir, project.paths.models)), { recursive: true });
  if (opts.mode === "baked") bakeModel(project, facts, projectOut);

  const app = writeAppPackage(out, `${dnsName(facts.name)}-serve`);
  fs.writeFileSync(path.join(out, "Dockerfile"), renderDockerfile(facts, opts.mode, app.tarball));
  fs.writeFileSync(path.join(out, ".dockerignore"), DOCKERIGNORE);
  const tag = opts.tag ?? `${dnsName(facts.name)}-serve:${facts.version && opts.mode === "baked" ? `v${facts.version.version}` : facts.alias}`;
  const build = opts.build === false ? { engine: null, built: false, message: "not built (--no-build)" } : buildImage(out, tag);
  return {
    out,
    mode: opts.mode,
    tag,
    files: listFiles(out),
    labels: imageLabels(facts, opts.mode),
    model: { name: facts.model, alias: facts.alias, version: facts.version?.version ?? null },
    lockFrom: app.lockFrom,
    build,
  };
}

/** A consistent copy of the SQLite registry and the artifact files of every served version, at the project's own paths. */
function bakeModel(project: Project, facts: DeployFacts, projectOut: string): void {
  const meta = project.paths.metadata.replace(/^sqlite:/, "");
  const inside = (p: string) => !path.relative(project.dir, p).startsWith("..") && !path.isAbsolute(path.relative(project.dir, p));
  if (/^postgres(ql)?:/.test(meta) || project.paths.artifacts.startsWith("s3://") || !inside(meta) || !inside(project.paths.artifacts)) {
    throw new ConfigError("a baked image needs the project's own SQLite registry and artifact folder", {
      hint: "with PostgreSQL or S3 stores, build an image that fetches the model at start: millrace deploy image --from-registry",
    });
  }
  const metaOut = path.join(projectOut, path.relative(project.dir, meta));
  fs.mkdirSync(path.dirname(metaOut), { recursive: true });
  fs.rmSync(metaOut, { force: true });
  // VACUUM INTO reads one snapshot: a pipeline committing meanwhile cannot leave a torn copy.
  const db = new Database(meta, { readonly: true, fileMustExist: true });
  try {
    db.prepare("VACUUM INTO ?").run(metaOut);
  } finally {
    db.close();
  }
  for (const mv of [facts.version!, ...facts.others]) {
    if (!mv.artifactUri.startsWith("artifacts:")) throw new ConfigError(`artifact ${mv.artifactUri} of ${mv.name} v${mv.version} is not in the project's artifact folder`);
    const key = mv.artifactUri.slice("artifacts:".length);
    const to = path.join(projectOut, path.relative(project.dir, project.paths.artifacts), key);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(project.paths.artifacts, key), to);
  }
}

/** docker, then podman: the first whose daemon (or runtime) answers builds; none answering leaves the context. */
function buildImage(out: string, tag: string): ImageResult["build"] {
  for (const engine of ["docker", "podman"]) {
    const info = spawnSync(engine, ["info"], { encoding: "utf8", timeout: 20_000 });
    if (info.error || info.status !== 0) continue;
    const b = spawnSync(engine, ["build", "-t", tag, "--build-arg", `CREATED=${new Date().toISOString()}`, out], { stdio: ["ignore", 2, 2], timeout: 1_800_000 });
    return b.status === 0 ? { engine, built: true, message: `built ${tag} with ${engine}` } : { engine, built: false, message: `${engine} build failed (exit ${b.status}); the context is in ${out}` };
  }
  return { engine: null, built: false, message: `no container engine answers here (docker info / podman info failed): the context is in ${out}; build it with docker build -t ${tag} ${out}` };
}

function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]))
    .sort();
}
