// Shared by the feature-store tests: a project with two views on a customer entity, and tables built from hand-made rows.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { Lake } from "../src/lake/lake.js";
import { definePipeline, type Project } from "../src/project/load-project.js";
import type { ProjectInput } from "../src/project/config.js";

export const DAY = 86_400_000;
export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const at = (day: number) => new Date(T0 + day * DAY).toISOString().replace("T", " ").replace(".000Z", "");

const dirs: string[] = [];
const lakes: Lake[] = [];
afterEach(async () => {
  for (const l of lakes.splice(0)) await l.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function featureProject(dir: string, extra: Partial<ProjectInput> = {}): Project {
  return definePipeline(
    {
      name: "fs_test",
      sources: [{ name: "events" }],
      dataset: { table: "gold.training", target: "label", task: "binary" },
      train: { candidates: [{ name: "lr", model: "logistic_regression" }] },
      registry: { model: "m" },
      feature_store: {
        entities: [{ name: "customer", join_keys: ["customer_id"] }],
        feature_views: [
          { name: "profile", source: "silver.profile", entity: "customer", timestamp: "ts", created_timestamp: "created", ttl: "4d", features: [{ name: "income", type: "number" }] },
          { name: "spend", source: "silver.spend", entity: "customer", timestamp: "ts", ttl: "30d", features: [{ name: "amount", type: "number" }] },
        ],
        on_demand_features: [{ name: "spend_ratio", expression: "amount / income" }],
        feature_services: [{ name: "svc", features: ["profile", "spend:amount", "spend_ratio"] }],
        training_sets: [{ table: "gold.training", labels: "silver.labels", timestamp: "ts", label: "label", service: "svc" }],
      },
      ...extra,
    },
    dir,
  );
}

export type Row = { id: number; day: number; value: number; created?: number };
export const values = (rows: Row[], withCreated: boolean) =>
  rows.map((r) => `(${r.id}, TIMESTAMP '${at(r.day)}', ${r.value}${withCreated ? `, ${r.created ?? 0}` : ""})`).join(", ");

export async function setup(profile: Row[], spend: Row[], labels: { id: number; day: number; label: number }[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "millrace-fs-"));
  dirs.push(dir);
  const lake = await Lake.open(path.join(dir, "lake"));
  lakes.push(lake);
  await lake.materialize("silver.profile", `SELECT * FROM (VALUES ${values(profile, true)}) t(customer_id, ts, income, created)`, { parents: [] });
  await lake.materialize("silver.spend", `SELECT * FROM (VALUES ${values(spend, false)}) t(customer_id, ts, amount)`, { parents: [] });
  await lake.materialize("silver.labels", `SELECT * FROM (VALUES ${labels.map((l) => `(${l.id}, TIMESTAMP '${at(l.day)}', ${l.label})`).join(", ")}) t(customer_id, ts, label)`, { parents: [] });
  return { dir, lake, project: featureProject(dir) };
}

