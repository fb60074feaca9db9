// The web dashboard's server side: a read-only JSON API under /api and the built React app under /ui, mounted on
// the serving app by `millrace serve`. The stores are opened on the first request and closed with the server.
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { NotFoundError } from "../errors.js";
import { Workspace } from "../app/workspace.js";
import type { Project } from "../project/load-project.js";
import { MethodNotAllowedError, UnauthorizedError } from "../serve/http-errors.js";
import { tokenMatches } from "../serve/token.js";
import { annotationRoutes } from "./annotations.js";
import { artifactsRoutes } from "./artifacts.js";
import type { UiData } from "./data.js";
import { driftRoutes } from "./drift.js";
import { driftHistoryRoutes } from "./drift-history.js";
import { evaluationRoutes } from "./evaluation.js";
import { errorJson } from "./http.js";
import { lineageRoutes } from "./lineage.js";
import { modelsRoutes } from "./models.js";
import { monitoringRoutes } from "./monitoring.js";
import { overviewRoutes } from "./overview.js";
import { pipelineRoutes } from "./pipeline.js";
import { pipelineViewRoutes } from "./pipeline-views.js";
import { predictRoutes } from "./predict.js";
import { runsRoutes } from "./runs.js";
import { staticRoutes } from "./static.js";
import { tablesRoutes } from "./tables.js";

export interface UiRoutes {
  /** Adds GET /api/... and GET /ui/... to `app`. */
  mount(app: Hono): void;
  /** Closes the stores the API opened, when it opened them (given a project, not a process's workspace). */
  close(): Promise<void>;
}

export interface UiRoutesOptions {
  /** The built dashboard (index.html + assets/); see defaultUiDir(). */
  uiDir: string;
  /** Where unexpected failures are reported (default: stderr). */
  log?: (line: string) => void;
  /**
   * The server's API token: when set, /api answers only requests with `authorization: Bearer <token>` (the pages
   * ask for it once), since the API shows table rows and lineage. The static files of /ui stay public.
   */
  token?: string;
}

/** dist/ui beside the compiled dist/ui-api: where `npm run build` puts the dashboard. */
export function defaultUiDir(): string {
  return fileURLToPath(new URL("../ui", import.meta.url));
}

/** The API as a Hono app of its own (paths without the /api prefix), for mounting and for tests. */
export function uiApi(data: UiData, log: (line: string) => void, token?: string): Hono {
  const api = new Hono();
  if (token !== undefined) {
    api.use("*", async (c, next) => {
      if (!tokenMatches(c.req.header("authorization"), token)) {
        return errorJson(new UnauthorizedError("the dashboard API needs the server's API token", { hint: "enter it on the page (it is sent as authorization: Bearer <token>)" }));
      }
      await next();
    });
  }
  overviewRoutes(api, data, log);
  pipelineRoutes(api, data, log);
  pipelineViewRoutes(api, data, log);
  runsRoutes(api, data, log);
  predictRoutes(api, data, log);
  modelsRoutes(api, data, log);
  tablesRoutes(api, data, log);
  lineageRoutes(api, data, log);
  driftRoutes(api, data, log);
  driftHistoryRoutes(api, data, log);
  evaluationRoutes(api, data, log);
  artifactsRoutes(api, data, log);
  annotationRoutes(api, data, log);
  monitoringRoutes(api, data, log);
  api.all("*", (c) =>
    errorJson(
      c.req.method === "GET"
        ? new NotFoundError(`no dashboard API route GET ${new URL(c.req.url).pathname}`, { hint: "the routes: /api/overview, /api/pipeline-runs, /api/runs, /api/models, /api/tables, /api/lineage, /api/drift" })
        : new MethodNotAllowedError(`the dashboard API is read-only (its POSTs: /api/models/<name>/<version>/predict; with the server's token, notes and tags at /api/runs/<id>/annotations, run control at /api/pipelines/<name>/trigger): ${c.req.method} is not served`, { hint: "change things with the millrace CLI or the server's token-guarded /models/<name>/aliases routes" }),
    ),
  );
  return api;
}

/** The dashboard on the process's workspace (its owner closes it), or on a project's own one (closed by close()). */
export function uiRoutes(on: Workspace | Project, opts: UiRoutesOptions): UiRoutes {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const own = !(on instanceof Workspace);
  const data = on instanceof Workspace ? on : new Workspace(on);
  return {
    mount(app) {
      app.route("/api", uiApi(data, log, opts.token));
      staticRoutes(app, opts.uiDir);
    },
    close: () => (own ? data.close() : Promise.resolve()),
  };
}
