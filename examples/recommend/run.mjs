#!/usr/bin/env node
// The recommendation example, one command: `node examples/recommend/run.mjs` (after `npm run build`).
// Writes seeded synthetic ratings (ratings.csv: user, item, rating, ts; a documented latent-factor model, no licence
// questions), trains svdpp on all but each user's latest 20% (by time), prints the held-out metrics, then writes the
// top 10 for three users (one unknown: cold start) with `millrace recommend`.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const cli = path.join(here, "../../dist/cli/main.js");
const { syntheticRatings } = await import("../../dist/recommend/synthetic.js");
const out = path.join(here, "out");
fs.mkdirSync(out, { recursive: true });

// 800 users x 400 items, rank 5, 30,000 ratings: 3.5 + b_u + b_i + p_u·q_i + N(0, 0.3²), seed 42.
const s = syntheticRatings({ users: 800, items: 400, ratings: 30_000, seed: 42 });
const csv = path.join(out, "ratings.csv");
fs.writeFileSync(csv, ["user,item,rating,ts", ...s.users.map((u, j) => `${u},${s.items[j]},${s.ratings[j]},${s.time[j]}`)].join("\n") + "\n");
console.log(`wrote ${csv}: ${s.users.length.toLocaleString("en-US")} ratings`);

const run = (args) => execFileSync(process.execPath, [cli, ...args], { stdio: "inherit" });
const model = path.join(out, "svdpp.bin");
run(["train", csv, "--task", "recommendation", "--user", "user", "--item", "item", "--target", "rating", "--model", "svdpp", "--split", "by-time", "--time", "ts", "--save", model]);
const users = path.join(out, "users.csv");
fs.writeFileSync(users, "user\nu0001\nu0002\nsomeone-new\n");
run(["recommend", "-m", model, "-i", users, "-o", path.join(out, "top10.csv")]);
console.log(fs.readFileSync(path.join(out, "top10.csv"), "utf8").split("\n").slice(0, 6).join("\n"));
