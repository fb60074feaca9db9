// A run's artifacts over the dashboard API on a real churn project: listed with their sizes (the run's model.bin, the
// registered version's copy, the evaluation report once computed), downloaded byte for byte, and every path that
// would leave the run refused with a 4xx naming the field.
import fs from "node:fs";
import path from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { churnProject, type UiProject } from "../../test/ui-fixture.js";
import { loadProject } from "../project/load-project.js";
import { artifactName, checkArtifactName } from "./artifacts.js";
import { uiRoutes, type UiRoutes } from "./index.js";

describe("artifact names", () => {
  const id = "1fac80ac-845b-49e8-bd01-4e266dcc7749";
  it("names a file within its run, and a registered version's copy under registry/", () => {
    expect(artifactName(`artifacts:runs/${id}/model.bin`, id)).toBe("model.bin");
    expect(artifactName(`s3://bucket/prefix/runs/${id}/plots/roc.json`, id)).toBe("plots/roc.json");
    expect(artifactName(`artifacts:models/churn/run-${id}/model.bin`, id)).toBe("registry/churn/model.bin");
    expect(artifactName(`file:///old/root/runs/${id}/model.bin`, id)).toBe("model.bin");
  });
  it("refuses names that would leave the run", () => {
    for (const bad of ["", "../meta.db", "a/../../x", "/etc/passwd", "a\\b", "a//b", "./x", "a\u0000b"]) {
      let err: any = null;
      try {
        checkArtifactName(bad);
      } catch (e) {
        err = e;
      }
      expect(err?.toJSON().path, JSON.stringify(bad)).toBe("name");
    }
    expect(checkArtifactName("registry/churn/model.bin")).toBe("registry/churn/model.bin");
  });
});

describe("run artifacts API", () => {
  let p: UiProject;
  let ui: UiRoutes;
  const app = new Hono();
  beforeAll(() => {
    p = churnProject();
    ui = uiRoutes(loadProject(p.dir), { uiDir: path.join(p.dir, "no-ui"), log: (l) => console.error(l) });
    ui.mount(app);
  }, 180_000);
  afterAll(async () => {
    await ui?.close();
  });

  it("lists the run's files with sizes and downloads one byte for byte", async () => {
    const runId = p.summaries[0].model.runId ?? p.summaries[0].candidates.find((c: any) => c.candidate === p.summaries[0].model.candidate).runId;
    const res = await app.request(`/api/runs/${runId}/artifacts`);
    expect(res.status).toBe(200);
    const { files } = (await res.json()) as any;
    const names = files.map((f: any) => f.name);
    expect(names).toEqual(expect.arrayContaining(["model.bin", "registry/churn/model.bin"]));
    const registered = files.find((f: any) => f.name === "registry/churn/model.bin");
    expect(registered.model).toEqual({ name: "churn", version: p.summaries[0].model.version });
    const onDisk = fs.readFileSync(path.join(p.dir, ".millrace/artifacts", registered.uri.replace(/^artifacts:/, "")));
    expect(registered.bytes).toBe(onDisk.byteLength);
    const dl = await app.request(`/api/runs/${runId}/artifact?name=${encodeURIComponent("registry/churn/model.bin")}`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-disposition")).toBe('attachment; filename="model.bin"');
    expect(Buffer.from(await dl.arrayBuffer()).equals(onDisk)).toBe(true);
  });

  it("refuses traversal and unknown names with a 4xx naming the field, and an unknown run with 404", async () => {
    const runId = p.summaries[0].candidates[0].runId;
    for (const name of ["../../metadata.db", "..%2F..%2Fmetadata.db", "%2Fetc%2Fpasswd", ""]) {
      const res = await app.request(`/api/runs/${runId}/artifact?name=${name}`);
      expect(res.status, name).toBe(400);
      expect(await res.json()).toMatchObject({ path: "name" });
    }
    const missing = await app.request(`/api/runs/${runId}/artifact?name=nope.bin`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).hint).toMatch(/model\.bin/);
    expect((await app.request("/api/runs/no-such-run/artifacts")).status).toBe(404);
  });
});
