#!/usr/bin/env node
// What watching served recommendation lists costs (monitor/served-lists.ts), after `npm run build`:
//   node bench/recsys-monitor.mjs
// A 10,000-item ALS model on synthetic implicit data (seeded); 50,000 lists of 10 recorded with a prediction log
// stand-in that keeps nothing (the log's own encoding is measured by bench/serve/log-encode.mjs); then the
// statistics of a 5,000-list window (coverage, skew, Gini, score PSI/KS) and a 5,000-list feedback join.
// CPU per operation from process.cpuUsage (the machine is shared: wall time is noisy). No peer: no stored tool
// monitors served lists; the figure is the request-path overhead next to /recommend's own CPU per request.
import os from "node:os";
const { syntheticInteractions } = await import("../dist/recommend/synthetic.js");
const { trainRecommender } = await import("../dist/recommend/train.js");
const { ServedListMonitor } = await import("../dist/monitor/served-lists.js");
const { Registry } = await import("prom-client");

const clicks = syntheticInteractions({ users: 4000, items: 10_000, perUser: 25, seed: 3 });
const fit = trainRecommender({ table: clicks, model: "als", params: { factors: 32, iterations: 5 }, testRows: new Uint32Array([0]), seed: 1 });
const model = fit.model;
const users = model.userIds;
const lists = users.slice(0, 2000).map((u) => model.recommend(u, { k: 10 }));
const cpu = (f) => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - t0 };
};
const mon = new ServedListMonitor({ registry: new Registry(), log: { logRequest() {} }, model: () => model });
const N = 50_000;
const served = [];
const rec = cpu(() => {
  for (let j = 0; j < N; j++) {
    const r = lists[j % lists.length];
    const l = { id: `l${j}`, model: "m", version: 1, alias: "production", at: new Date().toISOString(), latencyMs: 1, user: r.user, k: 10, strategy: r.strategy, items: r.items.map((i) => i.item), scores: r.items.map((i) => i.score) };
    mon.record(l);
    if (j >= N - 5000) served.push(l);
  }
});
const ref = cpu(() => mon.stats("m", 1)); // first call: the reference (top-10 of 500 training users)
const stats = cpu(() => mon.publish());
const fb = cpu(() => mon.handle({ feedback: served.map((l) => ({ id: l.id, items: l.items.slice(0, 2) })) }));
const load = os.loadavg().map((x) => x.toFixed(1)).join(" ");
console.log(`served-list monitoring — ${new Date().toISOString().slice(0, 16)} UTC, ${os.cpus().length} cores, load ${load}`);
console.log(`record (incl. building the list record): ${((rec.cpuMs * 1000) / N).toFixed(2)} µs CPU per list of 10 (${N} lists, wall ${rec.wallMs.toFixed(0)} ms)`);
console.log(`reference of a version (once): ${ref.cpuMs.toFixed(1)} ms CPU over ${model.itemIds.length} items`);
console.log(`statistics of a 5,000-list window (coverage, skew, Gini, PSI, KS): ${stats.cpuMs.toFixed(1)} ms CPU`);
console.log(`feedback join of 5,000 lists: ${((fb.cpuMs * 1000) / 5000).toFixed(2)} µs CPU per list`);
console.log(JSON.stringify(mon.stats("m", 1), null, 0).slice(0, 300));
