// `millrace recommend`: batch top-K lists for a file of users from a saved recommender (millrace train --save),
// written long (user, rank, item, score, strategy) as CSV or Parquet; unknown users get the popular items, counted.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { ValidationError } from "../../errors.js";
import { Duck } from "../../lake/duck.js";
import { lit } from "../../lake/sql.js";
import { loadRecommender } from "../../recommend/model.js";
import { printJson } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { positiveInt } from "../option-parsers.js";

export interface RecommendOptions {
  modelFile: string;
  input: string;
  output: string;
  userColumn?: string;
  k: number;
  includeSeen?: boolean;
  json?: boolean;
}

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export async function recommendCommand(opts: RecommendOptions): Promise<number> {
  if (!fs.existsSync(opts.modelFile)) throw new ValidationError(`no such model file: ${opts.modelFile}`, { path: "--model-file", hint: "write one with millrace train --task recommendation --save FILE" });
  if (!fs.existsSync(opts.input)) throw new ValidationError(`no such file: ${opts.input}`, { path: "--input" });
  const k = opts.k;
  const model = loadRecommender(fs.readFileSync(opts.modelFile));
  const t0 = performance.now();
  const column = opts.userColumn ?? model.info.columns.user;
  const duck = await Duck.open();
  try {
    const source = /\.parquet$/i.test(opts.input) ? `read_parquet(${lit(opts.input)})` : `read_csv(${lit(opts.input)}, all_varchar = true)`;
    const cols = (await duck.describe(`SELECT * FROM ${source}`)).map((c) => c.name);
    if (!cols.includes(column)) throw new ValidationError(`user column "${column}" is not in ${path.basename(opts.input)}`, { path: "--user-column", hint: `columns: ${cols.join(", ")}` });
    const users = (await duck.rows(`SELECT CAST(${JSON.stringify(column)} AS VARCHAR) AS u FROM ${source} WHERE ${JSON.stringify(column)} IS NOT NULL`)).map((r) => String(r.u));
    const parquet = /\.parquet$/i.test(opts.output);
    const csvPath = parquet ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), "millrace-recommend-")), "topk.csv") : opts.output;
    const out = fs.openSync(csvPath, "w");
    let cold = 0;
    try {
      fs.writeSync(out, "user,rank,item,score,strategy\n");
      for (const u of users) {
        const rec = model.recommend(u, { k, excludeSeen: opts.includeSeen !== true });
        if (rec.strategy === "popularity") cold++;
        let text = "";
        for (const it of rec.items) text += `${csvField(u)},${it.rank},${csvField(it.item)},${it.score},${rec.strategy}\n`;
        fs.writeSync(out, text);
      }
    } finally {
      fs.closeSync(out);
    }
    if (parquet) {
      await duck.run(`COPY (SELECT * FROM read_csv(${lit(csvPath)}, columns = {'user': 'VARCHAR', 'rank': 'INTEGER', 'item': 'VARCHAR', 'score': 'DOUBLE', 'strategy': 'VARCHAR'}, header = true)) TO ${lit(opts.output)} (FORMAT PARQUET)`);
      fs.rmSync(path.dirname(csvPath), { recursive: true, force: true });
    }
    const report = { model: model.name, users: users.length, coldStartUsers: cold, k, output: opts.output, seconds: (performance.now() - t0) / 1000 };
    if (opts.json) printJson(report);
    else {
      console.log(`${users.length.toLocaleString("en-US")} users × top ${k} from ${model.name} → ${opts.output} in ${report.seconds.toFixed(2)} s`);
      if (cold) console.log(`${cold.toLocaleString("en-US")} user(s) not in the training data: they got the most popular items (strategy = popularity)`);
    }
    return 0;
  } finally {
    duck.close();
  }
}

export function recommendCommands(program: Command, action: ActionWrapper): void {
  program
    .command("recommend")
    .description("top-K items for every user of a file, from a recommender saved by millrace train --task recommendation --save")
    .requiredOption("-m, --model-file <file>", "saved recommender")
    .requiredOption("-i, --input <file>", "CSV or Parquet with a user column")
    .requiredOption("-o, --output <file>", "where to write the lists (.csv or .parquet): user, rank, item, score, strategy")
    .option("--user-column <column>", "the user column of the input (default: the model's user column)")
    .option("--k <n>", "items per user", positiveInt, 10)
    .option("--include-seen", "keep items the user interacted with in training")
    .option("--json", "print the report as JSON")
    .action(action((opts: RecommendOptions) => recommendCommand(opts)));
}
