// A directed graph laid out top to bottom by dagre and drawn by React Flow: the pipeline DAG and the lineage.
// Top to bottom keeps a long chain readable in a wide page (left to right shrank the cards to fit).
// Nodes are HTML cards (title, facts, a coloured edge for the state or kind); a click (or Enter) opens the node's page.
// React Flow gives a node no pointer events unless it is selectable, draggable or has a handler: the click and hover
// handlers below are what make the cards clickable and their tooltips (the full name) show.
import dagre from "@dagrejs/dagre";
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeMouseHandler, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";

export interface GraphNode {
  id: string;
  title: string;
  lines: string[];
  /** CSS colour of the card's left edge and marker. */
  color: string;
  /** A short tag in the corner (state, kind). */
  tag?: string;
  onOpen?: () => void;
  highlight?: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  animated?: boolean;
}

const WIDTH = 230;
const LINE = 17;
/** The page width the graph is sized for when choosing its height. */
const VIEW_WIDTH = 1000;

type CardData = GraphNode & Record<string, unknown>;

function Card({ data }: NodeProps<Node<CardData>>) {
  return (
    <div
      className={`graph-node${data.onOpen ? " clickable" : ""}${data.highlight ? " highlight" : ""}`}
      style={{ borderLeftColor: data.color, width: WIDTH }}
      data-node-id={data.id}
      title={[data.title, ...data.lines, ...(data.id !== data.title ? [data.id] : [])].join("\n")}
      role={data.onOpen ? "link" : undefined}
      tabIndex={data.onOpen ? 0 : undefined}
      onKeyDown={data.onOpen ? (e) => e.key === "Enter" && data.onOpen?.() : undefined}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="graph-node-title">
        <span>{data.title}</span>
        {data.tag && (
          <span className="graph-node-tag" style={{ color: data.color }}>
            {data.tag}
          </span>
        )}
      </div>
      {data.lines.map((l, i) => (
        <div key={i} className="graph-node-line">
          {l}
        </div>
      ))}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

const nodeTypes = { card: Card };

const openNode: NodeMouseHandler<Node<CardData>> = (_e, node) => node.data.onOpen?.();
/** A hover handler, so that nodes take pointer events (and show their title) even when nothing opens from them. */
const hover: NodeMouseHandler<Node<CardData>> = () => undefined;

function heightOf(n: GraphNode): number {
  return 30 + n.lines.length * LINE;
}

export function layout(nodes: GraphNode[], edges: GraphEdge[]): { nodes: Node<CardData>[]; edges: Edge[]; width: number; height: number } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 16, ranksep: 42, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: WIDTH, height: heightOf(n) });
  const known = new Set(nodes.map((n) => n.id));
  const drawn = edges.filter((e) => known.has(e.from) && known.has(e.to));
  for (const e of drawn) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const size = g.graph();
  return {
    width: size.width ?? WIDTH,
    height: size.height ?? 100,
    nodes: nodes.map((n) => {
      const p = g.node(n.id);
      return { id: n.id, type: "card", position: { x: p.x - WIDTH / 2, y: p.y - heightOf(n) / 2 }, data: n as CardData, draggable: false, connectable: false };
    }),
    edges: drawn.map((e, i) => ({
      id: `${e.from}->${e.to}#${i}`,
      source: e.from,
      target: e.to,
      animated: e.animated,
      label: e.label,
      style: { stroke: "#94a3b8", strokeWidth: 1.5 },
      labelStyle: { fontSize: 10, fill: "#64748b" },
    })),
  };
}

/** The graph in a box as tall as the laid-out graph needs at the zoom that fits its width (within limits). */
export function Graph({ nodes, edges, maxHeight = 760 }: { nodes: GraphNode[]; edges: GraphEdge[]; maxHeight?: number }) {
  const laid = useMemo(() => layout(nodes, edges), [nodes, edges]);
  const zoom = Math.min(1.1, VIEW_WIDTH / laid.width);
  const height = Math.round(Math.max(240, Math.min(maxHeight, laid.height * zoom + 40)));
  return (
    <div className="graph" style={{ height }}>
      <ReactFlow
        nodes={laid.nodes}
        edges={laid.edges}
        nodeTypes={nodeTypes}
        onNodeClick={openNode}
        onNodeMouseEnter={hover}
        fitView
        fitViewOptions={{ padding: 0.08, maxZoom: 1.1 }}
        minZoom={0.15}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
      >
        <Background gap={24} size={1} color="#e2e8f0" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
