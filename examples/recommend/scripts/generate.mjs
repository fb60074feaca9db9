#!/usr/bin/env node
// Writes the example's data (seeded, no licence questions): users.csv, items.csv and one ratings file per month in
// data/landing. The latent-factor model, all draws from one seeded generator (mulberry32, seed 15):
//   users u = 1..500 with a segment s_u ∈ {student, family, professional, retired} and an age;
//   items i = 1..300 with a genre g_i ∈ {drama, comedy, documentary, thriller, kids, sci-fi} and a price;
//   p_u = S[s_u] + N(0, 0.4²)^4, q_i = G[g_i] + N(0, 0.4²)^4 (rank 4; S, G ~ N(0, 0.7²) per segment / genre),
//   b_u ~ N(0, 0.3²), b_i ~ N(0, 0.3²) - 0.1·log(price);
//   each user rates 20..80 distinct items, drawn without replacement with weight (item number)^-0.8 · exp(p_u·q_i)
//   (a popularity skew, and users pick what they like);
//   rating = clamp(round(3.4 + b_u + b_i + p_u·q_i + N(0, 0.5²)), 1, 5), time uniform over January or February 2026.
// Usage: node examples/recommend/scripts/generate.mjs [out-dir]   (default: the example's data/)
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const out = path.resolve(process.argv[2] ?? path.join(here, "../data"));

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(15);
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const pick = (list) => list[Math.floor(rand() * list.length)];

const RANK = 4;
const SEGMENTS = ["student", "family", "professional", "retired"];
const GENRES = ["drama", "comedy", "documentary", "thriller", "kids", "sci-fi"];
const S = Object.fromEntries(SEGMENTS.map((s) => [s, Array.from({ length: RANK }, () => 0.7 * normal())]));
const G = Object.fromEntries(GENRES.map((g) => [g, Array.from({ length: RANK }, () => 0.7 * normal())]));

const users = Array.from({ length: 500 }, (_, x) => {
  const segment = pick(SEGMENTS);
  const age = segment === "student" ? 18 + Math.floor(rand() * 8) : segment === "retired" ? 65 + Math.floor(rand() * 20) : 26 + Math.floor(rand() * 38);
  return { id: `u${String(x + 1).padStart(4, "0")}`, segment, age, p: S[segment].map((v) => v + 0.4 * normal()), b: 0.3 * normal() };
});
const items = Array.from({ length: 300 }, (_, x) => {
  const genre = pick(GENRES);
  const price = Math.round((2 + rand() * 18) * 100) / 100;
  return { id: `i${String(x + 1).padStart(4, "0")}`, genre, price, q: G[genre].map((v) => v + 0.4 * normal()), b: 0.3 * normal() - 0.1 * Math.log(price) };
});
// Users choose what they like among what is popular: item x's weight for user u is (x+1)^-0.8 · exp(p_u·q_x),
// drawn without replacement (Efraimidis–Spirakis keys rand^(1/w), the n largest).
const dotOf = (u, i) => {
  let d = 0;
  for (let f = 0; f < RANK; f++) d += u.p[f] * i.q[f];
  return d;
};
const chooseItems = (u, n) => {
  const keyed = items.map((i, x) => [Math.log(rand()) / ((x + 1) ** -0.8 * Math.exp(dotOf(u, i))), x]);
  return keyed.sort((a, b) => b[0] - a[0]).slice(0, n).map(([, x]) => x);
};

const months = { "2026-01": [], "2026-02": [] };
for (const u of users) {
  const n = 20 + Math.floor(rand() * 61);
  for (const x of chooseItems(u, n)) {
    const i = items[x];
    const rating = Math.min(5, Math.max(1, Math.round(3.4 + u.b + i.b + dotOf(u, i) + 0.5 * normal())));
    const month = rand() < 0.5 ? "2026-01" : "2026-02";
    const day = 1 + Math.floor(rand() * 28);
    const ts = `${month}-${String(day).padStart(2, "0")} ${String(Math.floor(rand() * 24)).padStart(2, "0")}:${String(Math.floor(rand() * 60)).padStart(2, "0")}:00`;
    months[month].push(`${u.id},${i.id},${rating},${ts}`);
  }
}

fs.mkdirSync(path.join(out, "landing"), { recursive: true });
fs.mkdirSync(path.join(out, "catalog"), { recursive: true });
fs.writeFileSync(path.join(out, "catalog/users.csv"), ["user_id,segment,age", ...users.map((u) => `${u.id},${u.segment},${u.age}`)].join("\n") + "\n");
fs.writeFileSync(path.join(out, "catalog/items.csv"), ["item_id,genre,price", ...items.map((i) => `${i.id},${i.genre},${i.price}`)].join("\n") + "\n");
for (const [month, rows] of Object.entries(months)) {
  rows.sort((a, b) => a.split(",")[3].localeCompare(b.split(",")[3]) || a.localeCompare(b));
  fs.writeFileSync(path.join(out, "landing", `ratings-${month}.csv`), ["user_id,item_id,rating,rated_at", ...rows].join("\n") + "\n");
  console.log(`${path.join(out, "landing", `ratings-${month}.csv`)}: ${rows.length} ratings`);
}
