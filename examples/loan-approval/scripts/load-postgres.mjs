// Loads the example's generated data into PostgreSQL for the PostgreSQL-fed mode (postgres/millrace.yaml): the same
// rows as data/landing/*.csv (written by make-data.mjs, seeded), in tables of schema loan_approval, with typed
// columns plus `updated_at` (when the row was written, default now()): the cursor millrace pulls by. The event times
// (profile_updated_at, …) are not cursors: the demo's are spread over 2026–2027, so a row written today may carry an
// earlier event time than rows already pulled. Rerunning makes the tables hold exactly the generated rows again and
// touches only rows that differ (their updated_at moves); unchanged rows keep theirs, so the next run pulls nothing.
// usage: node scripts/load-postgres.mjs [postgres-url]   (default: $MILLRACE_LOANS_PG_URL, else
//        postgres://postgres@127.0.0.1:5432/test)
import fs from "node:fs";
import pg from "pg";

const url = process.argv[2] ?? process.env.MILLRACE_LOANS_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const here = new URL("../data/landing/", import.meta.url);
const TABLES = [
  {
    name: "applicant_profiles", file: "profiles/applicant_profiles.csv", key: "applicant_id, profile_updated_at",
    types: { applicant_id: "text", profile_updated_at: "timestamptz", seniority: "double precision", home: "text", age: "double precision", marital: "text", records: "text", job: "text", expenses: "double precision", income: "double precision", assets: "double precision", debt: "double precision" },
  },
  { name: "loan_requests", file: "requests/loan_requests.csv", key: "applicant_id, requested_at", types: { applicant_id: "text", requested_at: "timestamptz", amount: "double precision", price: "double precision", term: "double precision" } },
  { name: "loan_decisions", file: "decisions/loan_decisions.csv", key: "applicant_id", types: { applicant_id: "text", decided_at: "timestamptz", status: "text" } },
];

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  await client.query("CREATE SCHEMA IF NOT EXISTS loan_approval");
  for (const t of TABLES) {
    // The generated CSVs hold no quotes or embedded commas (checked here); an empty cell is NULL.
    const [head, ...lines] = fs.readFileSync(new URL(t.file, here), "utf8").trim().split("\n");
    const cols = head.split(",");
    if (cols.join() !== Object.keys(t.types).join()) throw new Error(`${t.file}: columns ${cols} are not ${Object.keys(t.types)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS loan_approval.${t.name} (${cols.map((c) => `${c} ${t.types[c]}`).join(", ")}, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (${t.key}))`);
    await client.query("BEGIN");
    await client.query(`CREATE TEMP TABLE incoming (LIKE loan_approval.${t.name} INCLUDING DEFAULTS) ON COMMIT DROP`);
    for (let i = 0; i < lines.length; i += 1000) {
      const part = lines.slice(i, i + 1000).map((l) => l.split(","));
      if (part.some((cells) => cells.length !== cols.length)) throw new Error(`${t.file}: a row has other than ${cols.length} cells`);
      const values = part.flat().map((v) => (v === "" ? null : v));
      const rows = part.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(", ")})`);
      await client.query(`INSERT INTO incoming (${cols.join(", ")}) VALUES ${rows.join(", ")}`, values);
    }
    const key = t.key.split(", ");
    const rest = cols.filter((c) => !key.includes(c));
    await client.query(`DELETE FROM loan_approval.${t.name} t WHERE NOT EXISTS (SELECT 1 FROM incoming i WHERE ${key.map((k) => `i.${k} = t.${k}`).join(" AND ")})`);
    // A row written again with the same values is left alone: its updated_at (the cursor) does not move.
    await client.query(`INSERT INTO loan_approval.${t.name} (${cols.join(", ")}) SELECT ${cols.join(", ")} FROM incoming
      ON CONFLICT (${t.key}) DO UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}, updated_at = now()
      WHERE (${rest.map((c) => `loan_approval.${t.name}.${c}`).join(", ")}) IS DISTINCT FROM (${rest.map((c) => `EXCLUDED.${c}`).join(", ")})`);
    await client.query("COMMIT");
    process.stdout.write(`loan_approval.${t.name}: ${lines.length} rows\n`);
  }
} finally {
  await client.end();
}
