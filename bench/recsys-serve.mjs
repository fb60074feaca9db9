// /recommend under load: an svd recommender over a 10,000-item catalogue (seeded synthetic ratings) served by
// createApp + startServer (scoring through src/serve/recommend-index.ts); single requests (k = 10, seen items
// excluded) timed one at a time for p50/p99 (client-side, and the handler's own latencyMs), then wrk
// for throughput. Ours only: the peer has no recommendation server. Run by bench/recsys.mjs (--serve-only alone).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

export async function benchRecommendServing(say) {
  const { syntheticRatings } = await import("../dist/recommend/synthetic.js");
  const { trainRecommender } = await import("../dist/recommend/train.js");
  const { RecommenderPredictor } = await import("../dist/recommend/predictor.js");
  const { createApp } = await import("../dist/serve/app.js");
  const { startServer } = await import("../dist/serve/server.js");
  const table = syntheticRatings({ users: 3000, items: 10000, ratings: 150_000, seed: 42 });
  const t0 = performance.now();
  const { model } = trainRecommender({ table, model: "svd", testRows: new Uint32Array(0), seed: 1 });
  const fitS = (performance.now() - t0) / 1000;
  const provenance = { model: "recs", version: 1, alias: "production", runId: "bench", datasetId: "synthetic", datasetHash: "-", artifactUri: "memory" };
  const app = createApp({ models: { current: () => ({ predictor: new RecommenderPredictor(model), provenance }) } });
  const srv = await startServer(app, { port: 0 });
  const users = model.userIds;
  const lat = [];
  const inside = []; // the answer's latencyMs: parse → scoring → selection → JSON, inside the handler
  let oneCpu = 0;
  try {
    for (let j = 0; j < 2200; j++) {
      const body = JSON.stringify({ user: users[(j * 7919) % users.length], k: 10 });
      const s = performance.now();
      const c0 = j === 200 ? process.cpuUsage() : null;
      if (c0) oneCpu = c0;
      const r = await fetch(`${srv.url}/recommend`, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
      const answer = await r.json();
      if (j >= 200) lat.push(performance.now() - s), inside.push(answer.latencyMs); // the first 200 warm the JIT
    }
    const oneC = process.cpuUsage(oneCpu);
    lat.sort((a, b) => a - b);
    inside.sort((a, b) => a - b);
    const q = (p, a = lat) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
    const script = join(tmpdir(), "millrace-recommend.lua");
    writeFileSync(script, `wrk.method = "POST"\nwrk.body = '{"user":"${users[5]}","k":10}'\nwrk.headers["content-type"] = "application/json"\n`);
    const cpu0 = process.cpuUsage();
    // Asynchronously: the server answers from this same process.
    const w = await promisify(execFile)("wrk", ["-t1", "-c8", "-d8s", "--latency", "-s", script, `${srv.url}/recommend`], { encoding: "utf8" }).catch((e) => ({ stdout: String(e) }));
    const cpu = process.cpuUsage(cpu0);
    const done = Number(/(\d+) requests in/.exec(w.stdout ?? "")?.[1] ?? 0);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(w.stdout ?? "")?.[1];
    const p99w = /99%\s+([\d.]+\w+)/.exec(w.stdout ?? "")?.[1];
    say("");
    say(`### /recommend: svd (100 factors) over ${model.itemIds.length.toLocaleString("en")} items, ${users.length.toLocaleString("en")} users`);
    say("");
    say(`Trained in ${fitS.toFixed(1)} s on ${table.users.length.toLocaleString("en")} seeded synthetic ratings; one \`millrace\` app on 127.0.0.1, load average ${loadavg()[0].toFixed(1)}.`);
    say("");
    say("| measure | value |");
    say("|---|---:|");
    say(`| single requests one at a time (2,000 after 200 warm-up), p50 | ${q(0.5).toFixed(2)} ms |`);
    say(`| same, p99 | ${q(0.99).toFixed(2)} ms |`);
    say(`| same, inside the handler (the answer's latencyMs: parse, score 10k items, top 10, JSON), p50 / p99 | ${q(0.5, inside).toFixed(3)} / ${q(0.99, inside).toFixed(3)} ms |`);
    say(`| same, CPU per request of the process (server + the fetch client in it) | ${(((oneC.user + oneC.system) / lat.length) | 0).toLocaleString("en")} µs |`);
    say(`| wrk 1 thread × 8 connections × 8 s, req/s | ${rps ?? "wrk missing"} |`);
    say(`| wrk p99 | ${p99w ?? "n/a"} |`);
    say(`| server CPU per request during wrk (user + system; the figure that does not depend on the neighbours' load) | ${done ? ((cpu.user + cpu.system) / done).toFixed(0) : "n/a"} µs |`);
  } finally {
    await srv.close();
  }
}
