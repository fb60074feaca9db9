// For push-ingest tests: a copy of examples/churn with the sources given (no landing files), served by a real HTTP
// server that mounts only the ingest route under a token.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadProject } from "../../project/load-project.js";
import { createApp } from "../../serve/app.js";
import { startServer, type RunningServer } from "../../serve/server.js";
import { churnModel } from "../../serve/test-helpers/logistic.js";
import { pushSchemaPolicies } from "../../app/ingest-check.js";
import { ingestRoute, type IngestRoute } from "../ingest-route.js";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** A churn project whose `sources:` block is `sourcesYaml` (YAML list items, indented two spaces). */
export function pushProject(sourcesYaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-push-"));
  fs.cpSync(path.join(repoRoot, "examples/churn"), dir, { recursive: true, filter: (src) => !src.includes(".millrace") && !src.includes("landing") });
  const yaml = path.join(dir, "millrace.yaml");
  const text = fs.readFileSync(yaml, "utf8");
  fs.writeFileSync(yaml, text.replace(/sources:\n[\s\S]*?\n\nmodels:/, `sources:\n${sourcesYaml}\n\nmodels:`));
  return dir;
}

/** The project's push route on a real server; close both when done. */
export async function startPushServer(dir: string, token: string): Promise<{ server: RunningServer; route: IngestRoute }> {
  const p = loadProject(dir);
  const route = ingestRoute(p, { maxBodyBytes: 1 << 20, sources: pushSchemaPolicies(p) });
  const server = await startServer(createApp({ models: { current: () => churnModel(1) }, token, mount: (hono, guard) => route.mount(hono, guard) }), { port: 0 });
  return { server, route };
}
