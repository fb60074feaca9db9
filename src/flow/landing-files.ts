// Lists the files of a landing folder that match a source's glob (*, ?, {a,b}, and **/ for subfolders).
import fs from "node:fs";
import path from "node:path";

export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*" && pattern[i + 2] === "/") {
      re += "(?:.*/)?";
      i += 2;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) throw new Error(`unclosed { in pattern ${pattern}`);
      re += `(?:${pattern.slice(i + 1, end).split(",").map(escape).join("|")})`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

const escape = (s: string) => s.replace(/[.+^$()|[\]\\]/g, "\\$&");

/** Matching files under `dir`, sorted by path so ingest order is stable. Hidden and temp files are ignored. */
export function listLandingFiles(dir: string, pattern: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const matcher = globToRegExp(pattern);
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name.endsWith(".tmp") || entry.name.endsWith(".part")) continue;
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      // A symlink counts as what it points at (people link big files into the landing folder).
      const st = entry.isSymbolicLink() ? fs.statSync(path.join(dir, rel), { throwIfNoEntry: false }) : entry;
      if (!st) continue;
      if (st.isDirectory()) walk(rel);
      else if (st.isFile() && matcher.test(rel)) out.push(path.join(dir, rel));
    }
  };
  walk("");
  return out.sort();
}
