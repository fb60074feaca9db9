// Builds the loan-approval example's landing files from credit_data.csv (r-cran-modeldata, MIT). The original has
// no ids and no times, so they are generated here, deterministically (seeded PRNG, fixed dates): re-running this
// script writes the same bytes. Each of the 4,454 rows becomes one applicant (A00001…) who:
//   - had a profile snapshot some days before applying (seniority, home, age, …, income, assets, debt);
//   - requested a loan (amount, price, term) a little before the decision;
//   - got a decision (status good/bad) on the application date, between 2026-01-05 and 2026-10-31;
//   - in 40% of cases had their profile updated AFTER the decision, with an income that moved with the outcome
//     (down for bad loans, up for good ones). A training table built with a plain join of the latest profile
//     would learn from that future income; the point-in-time join never sees it.
// Usage: node scripts/make-data.mjs   (writes data/landing/{profiles,requests,decisions}/*.csv)
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..");
const SEED = 16;
const DAY = 86_400_000;
const START = Date.parse("2026-01-05T00:00:00Z");
const SPAN_DAYS = 299;

// mulberry32: a small, well-known seeded generator, so the data does not depend on Math.random.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseCsv(text) {
  const [head, ...lines] = text.trim().split("\n");
  const cols = head.split(",").map((c) => c.replaceAll('"', ""));
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v.replaceAll('"', "")])));
}

const iso = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");
const cell = (v) => (v === undefined || v === null || v === "" || v === "NA" ? "" : String(v));
const csv = (header, rows) => [header.join(","), ...rows.map((r) => header.map((h) => cell(r[h])).join(","))].join("\n") + "\n";

const rows = parseCsv(fs.readFileSync(path.join(root, "data/source/credit_data.csv"), "utf8"));
const random = rng(SEED);
const profiles = [];
const requests = [];
const decisions = [];
rows.forEach((r, i) => {
  const id = `A${String(i + 1).padStart(5, "0")}`;
  const decided = START + Math.floor(random() * SPAN_DAYS * DAY);
  const profileAt = decided - Math.floor((1 + random() * 60) * DAY);
  const requestedAt = decided - Math.floor(random() * 2 * DAY);
  const profile = {
    applicant_id: id, profile_updated_at: iso(profileAt), seniority: r.Seniority, home: r.Home, age: r.Age, marital: r.Marital,
    records: r.Records, job: r.Job, expenses: r.Expenses, income: r.Income, assets: r.Assets, debt: r.Debt,
  };
  profiles.push(profile);
  requests.push({ applicant_id: id, requested_at: iso(requestedAt), amount: r.Amount, price: r.Price, term: r.Time });
  decisions.push({ applicant_id: id, decided_at: iso(decided), status: r.Status });
  const later = random();
  const drift = random();
  if (later < 0.4 && r.Income !== "" && r.Income !== "NA") {
    const factor = r.Status === "bad" ? 0.5 + drift * 0.3 : 1.0 + drift * 0.3;
    profiles.push({ ...profile, profile_updated_at: iso(decided + Math.floor((5 + random() * 90) * DAY)), income: Math.round(Number(r.Income) * factor) });
  }
});

const write = (dir, name, header, list) => {
  fs.mkdirSync(path.join(root, "data/landing", dir), { recursive: true });
  fs.writeFileSync(path.join(root, "data/landing", dir, name), csv(header, list));
};
write("profiles", "applicant_profiles.csv", ["applicant_id", "profile_updated_at", "seniority", "home", "age", "marital", "records", "job", "expenses", "income", "assets", "debt"], profiles);
write("requests", "loan_requests.csv", ["applicant_id", "requested_at", "amount", "price", "term"], requests);
write("decisions", "loan_decisions.csv", ["applicant_id", "decided_at", "status"], decisions);
console.log(`wrote ${profiles.length} profile rows, ${requests.length} requests, ${decisions.length} decisions`);
