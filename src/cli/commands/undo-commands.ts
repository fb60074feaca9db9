// Undo for bad data: `millrace revert TABLE --to VERSION` (the table's quarantine lines and ingest records go back
// with it) and `millrace ingest --forget FILE`, each a new table version audited with who did it (--actor, or $USER)
// and why (--reason); and `millrace ingest --source S --records FILE`, the push of POST /ingest/<source> from the
// command line (src/app/ingest.ts).
import fs from "node:fs";
import type { Command } from "commander";
import { pushableSources, pushPolicy, pushRecords } from "../../app/ingest.js";
import { Workspace } from "../../app/workspace.js";
import { ValidationError } from "../../errors.js";
import { forgetFile } from "../../lake/forget.js";
import { revertTable, type RevertResult } from "../../lake/revert.js";
import { loadProject } from "../../project/load-project.js";
import { fmtNumber, printJson } from "../output.js";
import type { ActionWrapper } from "./action.js";
import { positiveInt } from "../option-parsers.js";

interface AuditOpts {
  project: string;
  actor?: string;
  reason?: string;
  json?: boolean;
}

const audited = (c: Command) =>
  c.option("--actor <name>", "who is doing this, kept in the manifest (default: $USER)").option("-r, --reason <text>", "why, kept in the manifest").option("--json", "print as JSON");

export function undoCommands(program: Command, action: ActionWrapper): void {
  audited(
    program
      .command("revert")
      .argument("<table>", "e.g. bronze.customers")
      .requiredOption("--to <version>", "the version whose content becomes current again", positiveInt)
      .option("-p, --project <dir>", "project folder", ".")
      .description("make an earlier version of a table current again, as a new version (history is kept; downstream tables rebuild on the next run)"),
  ).action(
    action(async (table: string, opts: AuditOpts & { to: number }) => {
      const r = await Workspace.use(loadProject(opts.project), async (ws) => revertTable(await ws.lake(), table, opts.to, opts));
      if (opts.json) printJson(r);
      else {
        console.log(`${r.table}: v${r.version} = content of v${r.to} (${fmtNumber(r.rowsBefore)} → ${fmtNumber(r.rowsAfter)} rows, was v${r.from}), by ${r.actor}`);
        for (const line of revertNotes(r)) console.log(`  ${line}`);
      }
      return 0;
    }),
  );

  audited(
    program
      .command("ingest")
      .argument("[project]", "project folder", ".")
      .option("--forget <file>", "remove this landing file's rows from the table that ingested it")
      .option("-t, --table <table>", "the table, when more than one ingested the file")
      .option("-s, --source <name>", "with --records: the source whose bronze table takes them")
      .option("--records <file>", "push an NDJSON file (one JSON object a line) into bronze.<source>, as POST /ingest/<source> does")
      .option("--batch-id <id>", "with --records: a batch pushed again under the same id is skipped")
      .description("change what the lake holds: --source S --records FILE pushes records into bronze.S; --forget FILE removes a landing file's rows as a new version (landing files are ingested by millrace run)"),
  ).action(
    action(async (project: string, opts: Omit<AuditOpts, "project"> & { forget?: string; table?: string; source?: string; records?: string; batchId?: string }) => {
      if (opts.records !== undefined) return pushCommand(project, opts);
      if (!opts.forget) throw new ValidationError("say what to do: --forget <file>, or --source <name> --records <file.ndjson>", { path: "forget", hint: "files are ingested by: millrace run" });
      const file = opts.forget;
      const r = await Workspace.use(loadProject(project), async (ws) => forgetFile(await ws.lake(), file, opts));
      // The file's set-aside lines leave <table>__quarantine with it.
      const q = r.quarantineRowsRemoved ? `; ${fmtNumber(r.quarantineRowsRemoved)} quarantined line${r.quarantineRowsRemoved === 1 ? "" : "s"} removed from ${r.table}__quarantine` : "";
      if (opts.json) printJson(r);
      else if (r.recordForgotten) console.log(`${r.table}: v${r.version} forgets ${r.file} (it had no rows${q}); the next run reads it again`);
      else if (r.rowsRemoved === 0) console.log(`${r.table}: no rows of ${r.file} left to remove (v${r.version} unchanged${q})`);
      else console.log(`${r.table}: v${r.version} without ${r.file} (${fmtNumber(r.rowsRemoved)} rows removed, ${fmtNumber(r.rowsBefore)} → ${fmtNumber(r.rowsAfter)}${q}), by ${r.actor}`);
      return 0;
    }),
  );
}

/** What a revert did beside the rows: the quarantine's lines and the ingest records it took back to v`to`. */
function revertNotes(r: RevertResult): string[] {
  const out: string[] = [];
  const q = r.quarantine;
  if (q && q.rowsBefore !== q.rowsAfter) out.push(`${r.table}__quarantine: ${fmtNumber(q.rowsBefore)} → ${fmtNumber(q.rowsAfter)} lines, as at v${r.to}`);
  const files = (n: number) => `${fmtNumber(n)} file${n === 1 ? "" : "s"}`;
  if (r.records.restored) out.push(`${files(r.records.restored)} marked ingested again (a forget undone): the next run does not read ${r.records.restored === 1 ? "it" : "them"}`);
  if (r.records.forgotten) out.push(`${files(r.records.forgotten)} forgotten again, as at v${r.to}: the next run reads ${r.records.forgotten === 1 ? "it" : "them"} again`);
  for (const w of r.warnings ?? []) out.push(`warning: ${w}`);
  return out;
}

/** `millrace ingest --source S --records FILE`: the push of POST /ingest/<source>, from a file. */
async function pushCommand(project: string, opts: { source?: string; records?: string; batchId?: string; json?: boolean }): Promise<number> {
  if (!opts.source) throw new ValidationError("--records needs --source <name>: the source whose bronze table takes them", { path: "source" });
  const file = opts.records!;
  if (!fs.existsSync(file)) throw new ValidationError(`no such file: ${file}`, { path: "records", hint: "give an NDJSON file: one JSON object a line" });
  const p = loadProject(project);
  const policy = pushPolicy(pushableSources(p), opts.source);
  const text = fs.readFileSync(file, "utf8");
  if (!text.trim()) throw new ValidationError(`${file} holds no records`, { path: "records", hint: "one JSON object a line" });
  const r = await Workspace.use(p, async (ws) => pushRecords(await ws.lake(), p, opts.source!, text, { policy, ...(opts.batchId ? { batchId: opts.batchId } : {}) }));
  if (opts.json) printJson(r);
  else if (r.duplicate) console.log(`${r.table}: batch ${opts.batchId} was pushed before; nothing written`);
  else if (r.notCommitted) {
    console.error(`${r.table}: ${r.notCommitted}`);
    for (const x of r.reasons ?? []) console.error(`  line ${x.line}: ${x.reason}`);
  } else console.log(`${r.table}: v${r.version} with ${fmtNumber(r.rowsOut)} of ${fmtNumber(r.rowsIn)} rows${r.rowsQuarantined ? `, ${fmtNumber(r.rowsQuarantined)} quarantined in ${r.quarantineTable}` : ""}`);
  return r.notCommitted ? 1 : 0;
}
