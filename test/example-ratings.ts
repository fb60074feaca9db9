// The recommend example's generated ratings (examples/recommend/data/landing, every monthly file) as an interaction
// table, for tests of recommenders and their monitoring.
import fs from "node:fs";
import path from "node:path";

const landing = path.resolve(import.meta.dirname, "../examples/recommend/data/landing");

export function exampleRatings(): { users: string[]; items: string[]; ratings: Float64Array; columns: { user: string; item: string; rating: string } } {
  const rows = fs.readdirSync(landing).sort().flatMap((f) => fs.readFileSync(path.join(landing, f), "utf8").trim().split("\n").slice(1)).map((l) => l.split(","));
  return {
    users: rows.map((r) => r[0]),
    items: rows.map((r) => r[1]),
    ratings: Float64Array.from(rows, (r) => Number(r[2])),
    columns: { user: "user_id", item: "item_id", rating: "rating" },
  };
}
