// Lineage, written once: a model version, table version or logged prediction traced back to the run, dataset, tables
// and source files with their hashes — as a tree (`millrace lineage`) or as a graph of recorded edges (the dashboard).
import { NotFoundError, ValidationError } from "../errors.js";
import { lineageOf, type LineageNode } from "../lake/commands.js";
import type { Lake } from "../lake/lake.js";
import { forEachPrediction } from "../monitor/log-reader.js";
import { ids, type LineageEdge, type Prediction, type TableRef } from "../records.js";
import { resolveTableRef } from "./tables.js";
import { servingAlias, type Workspace, type WorkspaceStores } from "./workspace.js";

const MAX_NODES = 400;

export type LineageNodeKind = "model" | "run" | "dataset" | "table" | "file" | "other";

export interface LineageGraphNode {
  /** The record id, e.g. "table:silver.customers@3", "file:data/landing/a.csv#<sha256>". */
  id: string;
  kind: LineageNodeKind;
  label: string;
  /** Short facts shown under the label (rows, hash prefix, metric). */
  detail: string[];
  /** A dashboard path for the record, when it has a page. */
  href: string | null;
}

export interface LineageGraph {
  root: string;
  nodes: LineageGraphNode[];
  edges: { from: string; to: string; kind: string }[];
  /** True when the walk stopped at its node limit. */
  truncated: boolean;
}

/** "churn@3" → a model version id, "gold.t@2" → a table version id; record ids ("run:…") pass through. */
export function lineageRoot(text: string): string {
  const t = text.trim();
  if (/^(model|table|run|dataset|file):./.test(t)) return t;
  const model = /^([A-Za-z_][A-Za-z0-9_-]*)@(\d+)$/.exec(t);
  if (model) return ids.model({ name: model[1], version: Number(model[2]) });
  const table = /^([A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)@(\d+)$/.exec(t);
  if (table) return ids.table({ table: table[1], version: Number(table[2]) });
  throw new ValidationError(`"${text}" is not a lineage reference`, { path: "ref", hint: "write model@version (churn@3), table@version (gold.churn_training@2), prediction:<id>, or a record id (run:<id>)" });
}

export function kindOf(id: string): LineageNodeKind {
  const k = id.slice(0, id.indexOf(":"));
  return k === "model" || k === "run" || k === "dataset" || k === "table" || k === "file" ? k : "other";
}

/** Breadth-first over recorded edges, upstream (what it was made from) or downstream (what was made from it). */
async function walk(r: WorkspaceStores, root: string, direction: "up" | "down"): Promise<{ nodes: string[]; edges: LineageEdge[]; truncated: boolean }> {
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

async function describe(ws: Workspace, r: WorkspaceStores, id: string): Promise<LineageGraphNode> {
  const kind = kindOf(id);
  const body = id.slice(id.indexOf(":") + 1);
  const metric = ws.project.config.train.metric;
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
        const v = await (await ws.lake()).version({ table: m[1], version: Number(m[2]) });
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

async function exists(ws: Workspace, r: WorkspaceStores, id: string): Promise<boolean> {
  const body = id.slice(id.indexOf(":") + 1);
  const at = /^(.*)@(\d+)$/.exec(body);
  switch (kindOf(id)) {
    case "model":
      return at !== null && (await r.meta.getModelVersion(at[1], Number(at[2]))) !== null;
    case "table":
      return at !== null && (await ws.lake()).version({ table: at[1], version: Number(at[2]) }).then(() => true, () => false);
    case "run":
      return (await r.meta.getRun(body)) !== null;
    case "dataset":
      return (await r.meta.getDataset(body)) !== null;
    default:
      return false;
  }
}

/**
 * The graph of recorded edges around `ref` (default: the served version, else the newest), upstream or downstream.
 * A record with no edges is shown alone if it exists; a mistyped reference is a NotFoundError, not an empty graph.
 */
export async function lineageGraph(ws: Workspace, ref: string | undefined, direction: "up" | "down" = "up"): Promise<LineageGraph> {
  const r = await ws.meta();
  if (!ref) {
    const name = ws.project.config.registry.model;
    const versions = await r.meta.listModelVersions(name);
    const v = versions.find((x) => x.aliases.includes(servingAlias(ws.project))) ?? versions.sort((a, b) => b.version - a.version)[0];
    if (!v) throw new NotFoundError(`no version of ${name} is registered yet`, { hint: `run the pipeline: millrace run ${ws.project.dir}` });
    ref = `${v.name}@${v.version}`;
  }
  // A logged prediction: the graph of the version that made it, with the prediction as its root.
  const prediction = ref.startsWith("prediction:") ? await findPrediction(ws, ref.slice("prediction:".length)) : null;
  const root = prediction ? ids.model({ name: prediction.model, version: prediction.version }) : lineageRoot(ref);
  const g = await walk(r, root, direction);
  if (g.edges.length === 0 && !(await exists(ws, r, root))) throw new NotFoundError(`no record ${root}`, { hint: "see: millrace models, millrace tables" });
  const nodes: LineageGraphNode[] = [];
  for (const id of g.nodes) nodes.push(await describe(ws, r, id));
  const edges = g.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind }));
  if (!prediction) return { root, nodes, edges, truncated: g.truncated };
  const id = `prediction:${prediction.id}`;
  nodes.unshift({ id, kind: "other", label: `prediction ${prediction.id.slice(0, 8)}`, detail: [prediction.at, JSON.stringify(prediction.output).slice(0, 80)], href: null });
  return { root: id, nodes, edges: direction === "up" ? [{ from: root, to: id, kind: "predicted_by" }, ...edges] : edges, truncated: g.truncated };
}

export interface ModelLineage {
  model: { name: string; version: number; aliases: string[]; artifactUri: string };
  run: { id: string; name: string; params: Record<string, unknown>; startedAt: string } | { id: string; deleted: true };
  dataset: { id: string; table: string; contentHash: string; target: string; features: number };
  tables: LineageNode;
}

/** Model lineage: the version, its run and dataset, then the dataset's table down to the landing files. */
export async function modelLineage(ws: Workspace, name: string, version: number): Promise<ModelLineage> {
  const r = await ws.meta();
  const mv = await r.registry.get(name, version);
  const run = await r.meta.getRun(mv.runId);
  const ds = await r.meta.getDataset(mv.datasetId);
  if (!ds) throw new ValidationError(`dataset ${mv.datasetId} of ${name} v${version} is not recorded`);
  return {
    model: { name: mv.name, version: mv.version, aliases: mv.aliases, artifactUri: mv.artifactUri },
    run: run ? { id: run.id, name: run.name, params: run.params, startedAt: run.startedAt } : { id: mv.runId, deleted: true },
    dataset: { id: ds.id, table: `${ds.table.table}@${ds.table.version}`, contentHash: ds.contentHash, target: ds.target, features: ds.features.length },
    tables: tableLineage(await ws.lake(), ds.table),
  };
}

const tableLineage = (lake: Lake, ref: TableRef) => lineageOf(lake, ref).tree;

/** A logged prediction by the id every answer carries, looked for in the project model's versions, newest first. */
async function findPrediction(ws: Workspace, id: string): Promise<Prediction> {
  const r = await ws.meta();
  const name = ws.project.config.registry.model;
  for (const mv of (await r.meta.listModelVersions(name)).sort((a, b) => b.version - a.version)) {
    const hit: { p?: Prediction } = {};
    await forEachPrediction(ws.project.paths.predictions, name, mv.version, {}, (p) => {
      if (hit.p === undefined && p.id === id) hit.p = p;
    });
    if (hit.p) return hit.p;
  }
  throw new NotFoundError(`no logged prediction ${id} of ${name}`, {
    path: "id",
    hint: `the id is in every /predict answer; only sampled predictions are logged (monitor.sample_rate), under ${ws.project.paths.predictions}`,
  });
}

/** A logged prediction and the lineage of the version that made it. */
export async function predictionLineage(ws: Workspace, id: string): Promise<{ prediction: Prediction } & ModelLineage> {
  const prediction = await findPrediction(ws, id);
  return { prediction, ...(await modelLineage(ws, prediction.model, prediction.version)) };
}

/** `millrace lineage REF`: model@version, a prediction id (prediction:<id>), or table[@version]. */
export async function lineageOfRef(ws: Workspace, text: string): Promise<({ kind: "model" } & ModelLineage) | ({ kind: "prediction"; prediction: Prediction } & ModelLineage) | { kind: "table"; tables: LineageNode }> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)@(\d+)$/.exec(text);
  if (m) return { kind: "model", ...(await modelLineage(ws, m[1], Number(m[2]))) };
  if (text.startsWith("prediction:")) return { kind: "prediction", ...(await predictionLineage(ws, text.slice("prediction:".length))) };
  const lake = await ws.lake();
  return { kind: "table", tables: tableLineage(lake, await resolveTableRef(lake, text)) };
}
