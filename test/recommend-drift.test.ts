// `millrace drift` on a recommendation project (examples/recommend): a version trained on January's ratings compared
// with the interactions of dataset.table it did not train on. Its own held-out January pairs drift in nothing; a March
// file of 600 ratings by 120 new users, all on ten items and all 1s, drifts in ratings, items, item popularity, user
// activity and new users, and the command exits 3.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyExample, millrace } from "./cli.js";

describe("millrace drift for a recommender", () => {
  it("compares dataset.table's interactions a version did not train on with its training interactions", () => {
    const dir = copyExample("recommend");
    const yaml = path.join(dir, "millrace.yaml");
    const text = fs.readFileSync(yaml, "utf8").replace("cv_folds: 3", "cv_folds: 0");
    const candidates = text.slice(text.indexOf("  candidates:"), text.indexOf("\nregistry:"));
    fs.writeFileSync(yaml, text.replace(candidates, "  candidates:\n    - name: popular\n      model: popularity\n").replace(/min: \{ ndcg_at_10: 0\.1 \}/, "min: {}"));
    const landing = path.join(dir, "data/landing");
    const february = path.join(dir, "ratings-2026-02.csv");
    fs.renameSync(path.join(landing, "ratings-2026-02.csv"), february);
    const first = millrace(["run", dir, "--json"]);
    expect(first.code, first.out).toBe(0);
    expect(first.json.model).toMatchObject({ version: 1, promoted: true });

    const held = millrace(["drift", dir, "--version", "1", "--json"]);
    expect(held.code, held.out).toBe(0);
    expect(held.json.report.currentRows).toBe(first.json.dataset.testRows);
    expect(held.json.report.drifted).toEqual([]);
    expect(held.json.report.newUsers.share).toBeLessThan(0.05);

    fs.renameSync(february, path.join(landing, "ratings-2026-02.csv"));
    const march = ["user_id,item_id,rating,rated_at"];
    for (let u = 0; u < 120; u++) for (let x = 0; x < 5; x++) march.push(`n${String(u).padStart(4, "0")},i${String(1 + ((u + x) % 10)).padStart(4, "0")},1,2026-03-0${1 + (x % 5)} 10:00:00`);
    fs.writeFileSync(path.join(landing, "ratings-2026-03.csv"), march.join("\n") + "\n");
    const second = millrace(["run", dir, "--json"]);
    expect(second.code, second.out).toBe(0);

    const shifted = millrace(["drift", dir, "--version", "1", "--since", "2026-03-01", "--json"]);
    expect(shifted.code, shifted.out).toBe(3);
    const r = shifted.json.report;
    expect(r.currentRows).toBe(600);
    expect(r.newUsers).toMatchObject({ share: 1, distinct: 120, drifted: true });
    expect(r.drifted).toEqual(expect.arrayContaining(["rating", "items", "itemPopularity", "userActivity", "newUsers"]));
    expect(shifted.json.table).toMatch(/^gold\.interactions@\d+$/);

    const text2 = millrace(["drift", dir, "--version", "1", "--since", "2026-03-01"]);
    expect(text2.code).toBe(3);
    expect(text2.stdout).toMatch(/Interaction drift films v1: 600 interactions of gold\.interactions@\d+ it did not train on \(since 2026-03-01\)/);
    expect(text2.stdout).toMatch(/new users\s.*DRIFT/);
    expect(millrace(["drift", dir, "--since", "not a time"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--since <iso-time>' argument 'not a time' is invalid\. expected an ISO date/) });
  }, 300_000);
});
