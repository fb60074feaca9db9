// Lineage as a graph for the dashboard: from a model version (or a table version, run or dataset) back through
// the recorded edges to the run, dataset, tables and source files with their hashes — or forward to what used it.
import type { Hono } from "hono";
import { ValidationError } from "../errors.js";
import { ids, type LineageEdge } from "../records.js";
import type { Resources } from "../flow/resources.js";
import type { UiData } from "./data.js";
import { choiceParam, handle, notFound } from "./http.js";
import { servingAlias } from "./overview.js";
import type { LineageGraph, LineageGraphNode, LineageNodeKind } from "./types.js";

const MAX_NODES = 400;

/** "churn@3" → a model version id, "gold.t@2" → a table version id; record ids ("run:…") pass through. */
export function lineageRoot(text: string): string {
  const t = text.trim();
  if (/^(model|table|run|dataset|file):./.test(t)) return t;
  const model = /^([A-Za-z_][A-Za-z0-9_-]*)@(\d+)$/.exec(t);
  if (model) return ids.model({ name: model[1], version: Number(model[2]) });
  const table = /^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)@(\d+)$/.exec(t);
  if (table) return ids.table({ table: table[1], version: Number(table[2]) });
  throw new ValidationError(`"${text}" is not a lineage reference`, { path: "ref", hint: "write model@version (churn@3), table@version (gold.churn_training@2), or a record id (run:<id>)" });
}

export function kindOf(id: string): LineageNodeKind {
  const k = id.slice(0, id.indexOf(":"));
  return k === "model" || k === "run" || k === "dataset" || k === "table" || k === "file" ? k : "other";
}

/** Breadth-first over recorded edges, upstream (what it was made from) or downstream (what was made from it). */
async function walk(r: Resources, root: string, direction: "up" | "down"): Promise<{ nodes: string[]; edges: LineageEdge[]; truncated: boolean }> {
  const seen = new Set([root]);
  const edges: LineageEdge[] = [];
  const edgeKeys = new Set<string>();
  let frontier = [root];
  let truncated = false;
  while (frontier.length && !truncated) {
    const next: string[] = [];
    for (const id of frontier) {
      const found = direction === "up" ? await r.meta.lineageInto(id) : await r.meta.lineageOutOf(id);
      for (const e of found) {
        const key = `${e.from}\u0000${e.to}\u0000${e.kind}`;
        if (!edgeKeys.has(key)) {
          edgeKeys.add(key);
          edges.push(e);
        }
        const other = direction === "up" ? e.from : e.to;
        if (seen.has(other)) continue;
        if (seen.size >= MAX_NODES) {
          truncated = true;
          continue;
        }
        seen.add(other);
        next.push(other);
      }
    }
    frontier = next;
  }
  return { nodes: [...seen], edges: edges.filter((e) => seen.has(e.from) && seen.has(e.to)), truncated };
}

const short = (hash: string) => hash.slice(0, 12);

async function describe(data: UiData, r: Resources, id: string): Promise<LineageGraphNode> {
  const kind = kindOf(id);
  const body = id.slice(id.indexOf(":") + 1);
  const metric = data.project.config.train.metric;
  const node: LineageGraphNode = { id, kind, label: body, detail: [], href: null };
  if (kind === "model") {
    const m = /^(.*)@(\d+)$/.exec(body);
    const mv = m ? await r.meta.getModelVersion(m[1], Number(m[2])) : null;
    node.label = m ? `${m[1]} v${m[2]}` : body;
    if (m) node.href = `/models/${encodeURIComponent(m[1])}/${m[2]}`;
    if (mv) {
      if (mv.aliases.length) node.detail.push(`@ ${mv.aliases.join(", ")}`);
      if (metric && mv.metrics[metric] !== undefined) node.detail.push(`${metric} ${mv.metrics[metric].toFixed(4)}`);
      if (mv.archived) node.detail.push("archived");
    }
  } else if (kind === "run") {
    const run = await r.meta.getRun(body);
    node.label = run ? `run ${run.name}` : `run ${body.slice(0, 8)} (deleted)`;
    node.detail.push(body.slice(0, 8));
    if (run) {
      node.href = `/runs/${body}`;
      if (metric && run.metrics[metric] !== undefined) node.detail.push(`${metric} ${run.metrics[metric].toFixed(4)}`);
    }
  } else if (kind === "dataset") {
    const ds = await r.meta.getDataset(body);
    node.label = `dataset ${body}`;
    if (ds) node.detail.push(`${ds.split.trainRows + ds.split.testRows} rows (${ds.split.trainRows} train / ${ds.split.testRows} test)`, `target ${ds.target}, ${ds.features.length} features`, `hash ${short(ds.contentHash)}`);
  } else if (kind === "table") {
    const m = /^(.*)@(\d+)$/.exec(body);
    if (m) {
      node.href = `/tables/${m[1]}?version=${m[2]}`;
      try {
        const v = await (await data.lake()).version({ table: m[1], version: Number(m[2]) });
        node.detail.push(`${v.operation}, ${v.rowCount.toLocaleString("en-US")} rows`, `hash ${short(v.contentHash)}`);
      } catch {
        node.detail.push("removed by vacuum");
        node.href = null;
      }
    }
  } else if (kind === "file") {
    const hash = body.lastIndexOf("#");
    const path = hash >= 0 ? body.slice(0, hash) : body;
    node.label = path.split("/").pop() ?? path;
    node.detail.push(path);
    if (hash >= 0) node.detail.push(`sha256 ${short(body.slice(hash + 1))}`);
  }
  return node;
}

async function exists(data: UiData, r: Resources, id: string): Promise<boolean> {
  const body = id.slice(id.indexOf(":") + 1);
  const at = /^(.*)@(\d+)$/.exec(body);
  switch (kindOf(id)) {
    case "model":
      return at !== null && (await r.meta.getModelVersion(at[1], Number(at[2]))) !== null;
    case "table":
      return at !== null && (await data.lake()).version({ table: at[1], version: Number(at[2]) }).then(() => true, () => false);
    case "run":
      return (await r.meta.getRun(body)) !== null;
    case "dataset":
      return (await r.meta.getDataset(body)) !== null;
    default:
      return false;
  }
}

export function lineageRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/lineage",
    handle(async (c): Promise<LineageGraph> => {
      const r = await data.meta();
      const direction = choiceParam(c, "direction", ["up", "down"] as const) ?? "up";
      let ref = c.req.query("ref");
      if (!ref) {
        // Default: the served version, else the newest one.
        const name = data.project.config.registry.model;
        const versions = await r.meta.listModelVersions(name);
        const v = versions.find((x) => x.aliases.includes(servingAlias(data))) ?? versions.sort((a, b) => b.version - a.version)[0];
        if (!v) throw notFound(`no version of ${name} is registered yet`, `run the pipeline: millrace run ${data.project.dir}`);
        ref = `${v.name}@${v.version}`;
      }
      const root = lineageRoot(ref);
      const g = await walk(r, root, direction);
      // A record with no edges is shown alone if it exists; a mistyped reference is a 404, not an empty graph.
      if (g.edges.length === 0 && !(await exists(data, r, root))) throw notFound(`no record ${root}`, "see: millrace models, millrace tables");
      const nodes: LineageGraphNode[] = [];
      for (const id of g.nodes) nodes.push(await describe(data, r, id));
      return { root, nodes, edges: g.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind })), truncated: g.truncated };
    }, log),
  );
}
