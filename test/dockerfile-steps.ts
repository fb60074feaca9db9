// Reads a rendered Dockerfile into its stages and instructions, so a test can carry out the same steps as processes
// on this machine (no container engine runs here). Instructions it does not know are refused, not skipped.
export interface Stage {
  from: string;
  name: string | null;
  workdir: string;
  env: Record<string, string>;
  user: string | null;
  copies: Array<{ from: string | null; chown: string | null; sources: string[]; dest: string }>;
  runs: string[];
  labels: Record<string, string>;
  healthcheck: string[] | null;
  entrypoint: string[];
  cmd: string[];
  expose: number[];
}

const KNOWN = new Set(["FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "EXPOSE", "ARG", "LABEL", "HEALTHCHECK", "ENTRYPOINT", "CMD"]);

function words(rest: string): string[] {
  const out: string[] = [];
  for (const m of rest.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]);
  return out;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [, op, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op || !KNOWN.has(op)) throw new Error(`Dockerfile instruction the test does not carry out: ${line}`);
    if (op === "FROM") {
      const w = words(rest);
      stages.push({ from: w[0], name: w[2] ?? null, workdir: "/", env: {}, user: null, copies: [], runs: [], labels: {}, healthcheck: null, entrypoint: [], cmd: [], expose: [] });
      continue;
    }
    const s = stages.at(-1);
    if (!s) throw new Error(`${op} before FROM`);
    if (op === "WORKDIR") s.workdir = rest;
    else if (op === "RUN") s.runs.push(rest);
    else if (op === "USER") s.user = rest;
    else if (op === "EXPOSE") s.expose.push(Number(rest));
    else if (op === "ENV" || op === "LABEL") {
      // One key=value per line, the value plain or JSON-quoted (as the renderer writes them).
      const [, key, value] = /^([^=\s]+)=("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest) ?? [];
      if (!key) throw new Error(`${op} the test cannot read: ${rest}`);
      (op === "ENV" ? s.env : s.labels)[key] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
    else if (op === "ENTRYPOINT") s.entrypoint = JSON.parse(rest) as string[];
    else if (op === "CMD") s.cmd = JSON.parse(rest) as string[];
    else if (op === "HEALTHCHECK") s.healthcheck = JSON.parse(rest.slice(rest.indexOf("CMD ") + 4)) as string[];
    else if (op === "COPY") {
      const w = words(rest);
      const flags = w.filter((x) => x.startsWith("--"));
      const paths = w.filter((x) => !x.startsWith("--"));
      const flag = (name: string) => flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3) ?? null;
      s.copies.push({ from: flag("from"), chown: flag("chown"), sources: paths.slice(0, -1), dest: paths.at(-1)! });
    }
  }
  return stages;
}
