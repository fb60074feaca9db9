import { describe, expect, it } from "vitest";
import { projectSchema } from "../project/config.js";
import type { Task } from "./dag.js";
import { applyTaskControl } from "./task-control.js";

const base = {
  name: "p",
  sources: [{ name: "customers" }],
  dataset: { table: "gold.churn", target: "churn", task: "binary" },
  train: { candidates: [{ name: "lr", model: "logistic_regression" }] },
  registry: { model: "churn" },
  serve: {},
  monitor: {},
};

const tasks: Task<null>[] = ["ingest:bronze.customers", "transform:silver.customers", "dataset", "train:lr", "train:gbdt", "register"].map((id) => ({ id, deps: [], run: async () => id }));

describe("task control from millrace.yaml", () => {
  it("applies top-level defaults, then matching task_settings in order, key by key", () => {
    const cfg = projectSchema.parse({
      ...base,
      retries: 2,
      retry_delay: "30s",
      timeout: 600,
      task_settings: { "train:*": { timeout: "2h", retries: 0 }, "train:gbdt": { retry_delay: 5 }, register: { retries: 0 } },
    });
    const byId = Object.fromEntries(applyTaskControl(tasks, cfg).map((t) => [t.id, { retries: t.retries ?? 0, retryDelayMs: t.retryDelayMs, timeoutMs: t.timeoutMs }]));
    expect(byId["ingest:bronze.customers"]).toEqual({ retries: 2, retryDelayMs: 30_000, timeoutMs: 600_000 });
    expect(byId["train:lr"]).toEqual({ retries: 0, retryDelayMs: 30_000, timeoutMs: 7_200_000 });
    expect(byId["train:gbdt"]).toEqual({ retries: 0, retryDelayMs: 5_000, timeoutMs: 7_200_000 });
    expect(byId.register).toEqual({ retries: 0, retryDelayMs: 30_000, timeoutMs: 600_000 });
  });

  it("leaves tasks as they are without settings, and rejects bad durations, cron expressions and time zones", () => {
    const plain = applyTaskControl(tasks, projectSchema.parse(base));
    expect(plain.every((t) => t.retries === undefined && t.retryDelayMs === undefined && t.timeoutMs === undefined)).toBe(true);
    const cfg = projectSchema.parse({ ...base, schedule: "0 */6 * * *" });
    expect({ schedule: cfg.schedule, timezone: cfg.timezone, catchup: cfg.catchup }).toEqual({ schedule: "0 */6 * * *", timezone: "UTC", catchup: false });
    expect(projectSchema.safeParse({ ...base, timeout: "soon" }).error?.issues[0].message).toMatch(/"soon" is not a duration/);
    expect(projectSchema.safeParse({ ...base, schedule: "every six hours" }).error?.issues[0].message).toMatch(/not a cron expression/);
    expect(projectSchema.safeParse({ ...base, timezone: "Mars/Olympus" }).error?.issues[0].path).toEqual(["timezone"]);
  });
});
