// Rebuilds the example's landing files from the IBM Telco churn CSV (MIT): the January snapshot of every customer
// with a stable customer_id, and a February snapshot of the customers whose contract or bill changed.
//   node scripts/make-landing.mjs [path/to/wa_churn.csv]
import fs from "node:fs";
import path from "node:path";

const here = path.resolve(import.meta.dirname, "..");
const source = process.argv[2] ?? path.join(here, "data/source/wa_churn.csv");
const lines = fs.readFileSync(source, "utf8").trim().split(/\r?\n/);
const header = lines[0].split(",");
const idx = (name) => header.indexOf(`"${name}"`);
// No quoted value of this file holds a comma, so a plain split is exact.
const split = (line) => line.split(",");

const jan = [`"customer_id","snapshot_date",${lines[0]}`];
const feb = [jan[0]];
let seed = 20260201;
const rand = () => ((seed = (seed * 1664525 + 1013904223) % 4294967296) / 4294967296);
for (let i = 1; i < lines.length; i++) {
  const id = `"C${String(i).padStart(5, "0")}"`;
  jan.push(`${id},"2026-01-01",${lines[i]}`);
  const cells = split(lines[i]);
  const contract = cells[idx("contract")];
  // One staying customer in twenty renegotiates: month-to-month → one year, one year → two year, with a new bill.
  if (rand() < 0.05 && contract !== '"Two year"' && cells[idx("churn")] === '"No"') {
    cells[idx("contract")] = contract === '"Month-to-month"' ? '"One year"' : '"Two year"';
    const monthly = Number(cells[idx("monthly_charges")]);
    const newMonthly = +(monthly * 0.92).toFixed(2);
    cells[idx("monthly_charges")] = String(newMonthly);
    cells[idx("tenure")] = String(Number(cells[idx("tenure")]) + 1);
    const total = Number(cells[idx("total_charges")]);
    cells[idx("total_charges")] = Number.isFinite(total) && cells[idx("total_charges")] !== "" ? (total + newMonthly).toFixed(2) : String(newMonthly);
    feb.push(`${id},"2026-02-01",${cells.join(",")}`);
  }
}
fs.mkdirSync(path.join(here, "data/landing"), { recursive: true });
fs.writeFileSync(path.join(here, "data/landing/customers-2026-01.csv"), jan.join("\n") + "\n");
fs.writeFileSync(path.join(here, "data/landing/customers-2026-02.csv"), feb.join("\n") + "\n");
console.log(`January: ${jan.length - 1} customers; February: ${feb.length - 1} changed`);
