// Lists the files of a landing folder that match a source's glob (picomatch syntax: *, ?, {a,b}, **/ for subfolders).
import fs from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

/** A matcher for paths relative to the landing folder (picomatch: *, ?, [..], {a,b}, ** and extglobs). */
export function landingMatcher(pattern: string): (rel: string) => boolean {
  return picomatch(pattern);
}

/** Matching files under `dir`, sorted by path so ingest order is stable. Hidden and temp files are ignored. */
export function listLandingFiles(dir: string, pattern: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const matcher = landingMatcher(pattern);
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name.endsWith(".tmp") || entry.name.endsWith(".part")) continue;
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      // A symlink counts as what it points at (people link big files into the landing folder).
      const st = entry.isSymbolicLink() ? fs.statSync(path.join(dir, rel), { throwIfNoEntry: false }) : entry;
      if (!st) continue;
      if (st.isDirectory()) walk(rel);
      else if (st.isFile() && matcher(rel)) out.push(path.join(dir, rel));
    }
  };
  walk("");
  return out.sort();
}
