// Lineage as a graph for the dashboard: GET /api/lineage?ref=…&direction=up|down (the walk is src/app/lineage.ts).
import type { Hono } from "hono";
import { lineageGraph, type LineageGraph } from "../app/lineage.js";
import type { UiData } from "./data.js";
import { choiceParam, handle } from "./http.js";

export function lineageRoutes(api: Hono, data: UiData, log: (line: string) => void): void {
  api.get(
    "/lineage",
    handle((c): Promise<LineageGraph> => lineageGraph(data, c.req.query("ref") || undefined, choiceParam(c, "direction", ["up", "down"] as const) ?? "up"), log),
  );
}
