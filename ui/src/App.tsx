// The app shell: the navigation, the project and served model in the header, and the page the path names.
// Pages load on first visit, so the charts and graph libraries arrive only with the pages that draw them.
import { lazy, Suspense, type ComponentType } from "react";
import type { OverviewResponse } from "../../src/ui-api/types.js";
import { useApi } from "./api.js";
import { AliasChip } from "./components/Badges.js";
import { Loading } from "./components/States.js";
import { Link, match, useLocation } from "./router.js";

type Params = Record<string, string>;

const page = (load: () => Promise<{ default: ComponentType<{ params: Params; query: URLSearchParams }> }>) => lazy(load);

const ROUTES: [string, ReturnType<typeof page>][] = [
  ["/", page(() => import("./pages/Overview.js"))],
  ["/pipeline", page(() => import("./pages/Pipeline.js"))],
  ["/pipeline/:id", page(() => import("./pages/Pipeline.js"))],
  ["/runs", page(() => import("./pages/Runs.js"))],
  ["/runs/:id", page(() => import("./pages/RunPage.js"))],
  ["/compare", page(() => import("./pages/Compare.js"))],
  ["/models", page(() => import("./pages/Models.js"))],
  ["/models/:name/predict", page(() => import("./pages/Predict.js"))],
  ["/models/:name/:version", page(() => import("./pages/ModelVersionPage.js"))],
  ["/tables", page(() => import("./pages/Tables.js"))],
  ["/tables/:table", page(() => import("./pages/TablePage.js"))],
  ["/features", page(() => import("./pages/Features.js"))],
  ["/lineage", page(() => import("./pages/Lineage.js"))],
  ["/drift", page(() => import("./pages/Drift.js"))],
  ["/monitoring", page(() => import("./pages/Monitoring.js"))],
  ["/monitoring/:name/:version", page(() => import("./pages/VersionMonitoring.js"))],
];

const NAV: [string, string][] = [
  ["/", "Overview"],
  ["/pipeline", "Pipeline"],
  ["/runs", "Runs"],
  ["/models", "Models"],
  ["/tables", "Tables"],
  ["/features", "Features"],
  ["/lineage", "Lineage"],
  ["/drift", "Drift"],
  ["/monitoring", "Monitoring"],
];

function resolve(path: string): { Page: ReturnType<typeof page>; params: Params } | null {
  for (const [pattern, Page] of ROUTES) {
    const params = match(pattern, path);
    if (params) return { Page, params };
  }
  return null;
}

function active(nav: string, path: string): boolean {
  if (nav === "/") return path === "/";
  return path === nav || path.startsWith(`${nav}/`) || (nav === "/runs" && path === "/compare");
}

export function App() {
  const { path, query } = useLocation();
  const overview = useApi<OverviewResponse>("/overview");
  const found = resolve(path);
  const o = overview.data;
  return (
    <div className="shell">
      <aside className="nav">
        <Link to="/" className="brand">
          <span className="logo" aria-hidden="true" />
          millrace
        </Link>
        {o && (
          <div className="project" title={o.project.dir}>
            {o.project.name}
          </div>
        )}
        <nav>
          {NAV.map(([to, label]) => (
            <Link key={to} to={to} className={active(to, path) ? "active" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        {o && (
          <div className="served">
            <div className="served-label">serving</div>
            {o.model.served ? (
              <Link to={`/models/${encodeURIComponent(o.model.name)}/${o.model.served.version}`}>
                {o.model.name} v{o.model.served.version} <AliasChip alias={o.model.alias} />
              </Link>
            ) : (
              <span className="muted">no version holds @{o.model.alias}</span>
            )}
          </div>
        )}
      </aside>
      <main className="content">
        <Suspense fallback={<Loading what="opening the page" />}>
          {found ? (
            <found.Page params={found.params} query={query} />
          ) : (
            <div className="empty">
              <div className="empty-title">No page at {path}</div>
              <Link to="/">back to the overview</Link>
            </div>
          )}
        </Suspense>
      </main>
    </div>
  );
}
