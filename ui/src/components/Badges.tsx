// Small coloured labels: task and run states, model stages, aliases, drift verdicts.

const TONE: Record<string, string> = {
  succeeded: "ok", finished: "ok", ok: "ok", Production: "ok", stable: "ok", passed: "ok", promoted: "ok",
  failed: "bad", drift: "bad", significant: "bad", Archived: "muted",
  running: "info", Staging: "info",
  skipped: "muted", pending: "muted", absent: "muted", None: "muted",
  moderate: "warn", warn: "warn", "not promoted": "warn", pruned: "muted", complete: "ok",
};

export function Badge({ text, tone, title }: { text: string; tone?: string; title?: string }) {
  return (
    <span className={`badge ${tone ?? TONE[text] ?? "muted"}`} title={title}>
      {text}
    </span>
  );
}

export function AliasChip({ alias }: { alias: string }) {
  return <span className="alias">@{alias}</span>;
}
