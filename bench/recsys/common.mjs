// Shared by bench/recsys.mjs and bench/recsys/seeds.mjs: the data sets, the CSV reader, the peer runner.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const SHARED = new URL("../../../shared/", import.meta.url).pathname;
export const PEER = join(SHARED, "bench/peer_recsys.py");
const PEER_CPU = new URL("./peer_fit_cpu.py", import.meta.url).pathname;
export const OUT = new URL("../out/", import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });
export const PEER_MODELS = new Set(["baseline", "svd", "svdpp", "nmf", "als", "two_tower"]);

export const INSTEVAL = { name: "insteval", file: join(SHARED, "data/insteval_ratings.csv"), user: "s", item: "d", rating: "y" };

/** The peer's --make-synthetic set for `seed` (500 users x 300 items, rank 5, 20,000 ratings), written once to bench/out/. */
export function synthetic(seed = 42) {
  const file = join(OUT, seed === 42 ? "synthetic_ratings.csv" : `synthetic_ratings_seed${seed}.csv`);
  if (!existsSync(file)) {
    const r = spawnSync("/usr/bin/python3", [PEER, "--make-synthetic", file, "--seed", String(seed)], { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`peer --make-synthetic --seed ${seed} failed`);
  }
  return { name: `synthetic (peer --make-synthetic, seed ${seed})`, file, user: "user", item: "item", rating: "rating" };
}

/** Minimal CSV reader for these files (no quoted commas): ids as written, ratings as numbers; rows lacking one dropped. */
export function readRatings(ds) {
  const lines = readFileSync(ds.file, "utf8").trim().split(/\r?\n/);
  const head = lines[0].split(",").map((s) => s.replace(/"/g, ""));
  const [cu, ci, cr] = [ds.user, ds.item, ds.rating].map((c) => head.indexOf(c));
  const users = [], items = [], r = [], rows = [];
  for (let x = 1; x < lines.length; x++) {
    const f = lines[x].split(",").map((s) => s.replace(/"/g, ""));
    if (!f[cu] || !f[ci] || f[cr] === "" || !Number.isFinite(+f[cr])) continue;
    users.push(f[cu]), items.push(f[ci]), r.push(+f[cr]), rows.push(x - 1);
  }
  return { users, items, ratings: Float64Array.from(r), rows, columns: { user: ds.user, item: ds.item, rating: ds.rating } };
}

/**
 * The peer on `models` (comma list); `first`: it splits (with `seed`) and writes the test rows to `split`, else it
 * reads them. `seed` also seeds its models. `cpu_s`: each fit's CPU seconds as peer_fit_cpu.py reports them on stderr.
 */
export function peer(ds, models, split, first, seed = 42) {
  const a = [PEER_CPU, ds.file, "--user", ds.user, "--item", ds.item, "--rating", ds.rating, "--models", models, "--json", "--seed", String(seed)];
  a.push(...(first ? ["--split-out", split] : ["--split-in", split]));
  const r = spawnSync("/usr/bin/python3", a, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`peer ${models} failed: ${r.stderr}`);
  const cpu = JSON.parse(r.stderr.trim().split("\n").at(-1)).fit_cpu_s;
  const out = JSON.parse(r.stdout);
  for (const m of out.models) m.cpu_s = cpu[m.name];
  return out;
}

/** Positions (into `data`) of the peer's held-out rows written to `split`, ascending. */
export function testRowsOf(data, split) {
  const wanted = readFileSync(split, "utf8").trim().split("\n").map(Number);
  const pos = new Map(data.rows.map((row, x) => [row, x]));
  return Uint32Array.from(wanted, (row) => pos.get(row)).sort();
}
