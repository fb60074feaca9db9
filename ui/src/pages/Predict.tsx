// Predict: a form generated from one version's signature (types, categories as selects, training ranges as hints,
// the input example to start from), the answer of exactly that version with its provenance (and, on request, its
// top contributions), and the curl line that asks the same version the same question. Scoring here is not logged, so
// trying inputs does not move drift.
import { useState, type FormEvent } from "react";
import type { FieldSpec, ModelsResponse, ModelVersionDetail, PredictResponse } from "../../../src/ui-api/types.js";
import { ApiFailure, hasToken, postJson, useApi } from "../api.js";
import { AliasChip, Badge } from "../components/Badges.js";
import { Card, Empty, ErrorBox, KeyValues, Loaded, PageHeader } from "../components/States.js";
import { fmtBound, fmtNum, fmtPct } from "../format.js";
import { Link, setQuery } from "../router.js";
import { csvCell, parseCsv } from "../csv.js";
import { Explanation, useExplainChoice } from "./PredictExplanation.js";

type Values = Record<string, string>;

/** The form's text for a value of the example ("" for a missing one). */
function asText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** The record the model reads: numbers as numbers, booleans as booleans, an empty input as null. */
function toRecord(fields: FieldSpec[], values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = (values[f.name] ?? "").trim();
    if (raw === "") out[f.name] = null;
    else if (f.type === "number" || f.type === "integer") out[f.name] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else if (f.type === "boolean") out[f.name] = raw === "true" ? true : raw === "false" ? false : raw;
    else out[f.name] = values[f.name];
  }
  return out;
}

function rangeHint(f: FieldSpec): string | null {
  if (f.min === undefined && f.max === undefined) return null;
  return `training saw ${fmtBound(f.min)} to ${fmtBound(f.max)}`;
}

function Field({ f, value, set, flagged }: { f: FieldSpec; value: string; set: (v: string) => void; flagged: string | null }) {
  const id = `field-${f.name}`;
  const hint = rangeHint(f);
  let input;
  if (f.categories && f.categories.length > 0 && (f.strict || f.type === "string")) {
    // A value of the example that is not among the categories stays choosable, so the prefilled form is the example.
    const options = f.categories.includes(value) || value === "" ? f.categories : [...f.categories, value];
    input = (
      <select id={id} name={f.name} value={value} onChange={(e) => set(e.target.value)}>
        {(f.nullable || value === "") && <option value="">(missing)</option>}
        {options.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  } else if (f.type === "boolean") {
    input = (
      <select id={id} name={f.name} value={value} onChange={(e) => set(e.target.value)}>
        <option value="">(missing)</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else {
    const numeric = f.type === "number" || f.type === "integer";
    input = (
      <input
        id={id}
        name={f.name}
        type={numeric ? "number" : "text"}
        step={f.type === "integer" ? 1 : "any"}
        inputMode={numeric ? "decimal" : undefined}
        placeholder={f.nullable ? "missing" : f.type === "timestamp" ? "2026-01-31T00:00:00Z" : ""}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    );
  }
  return (
    <div className={`field${flagged ? " flagged" : ""}`} data-field={f.name}>
      <label htmlFor={id}>
        <span className="field-name">{f.name}</span> <span className="muted small">{f.type}{f.nullable ? ", may be missing" : ""}</span>
      </label>
      {input}
      {hint && <div className="muted small">{hint}</div>}
      {flagged && <div className="warn-text small">{flagged}</div>}
    </div>
  );
}

function Answer({ a, name }: { a: PredictResponse; name: string }) {
  const p = a.predictions[0];
  const probs = p?.probabilities ? Object.entries(p.probabilities).sort((x, y) => y[1] - x[1]) : [];
  const prov = a.provenance;
  return (
    <Card title="Answer" className="answer">
      {p?.label !== undefined && (
        <div className="big">
          <span data-testid="predicted-label">{p.label}</span>
        </div>
      )}
      {p?.value !== undefined && <div className="big">{fmtNum(p.value)}</div>}
      {probs.length > 0 && (
        <div className="probs">
          {probs.map(([k, v]) => (
            <div key={k} className="prob">
              <span className="mono">{k}</span>
              <span className="bar">
                <i style={{ width: `${Math.max(0, Math.min(1, v)) * 100}%` }} />
              </span>
              <span className="num">{fmtPct(v)}</span>
            </div>
          ))}
        </div>
      )}
      {a.explanations?.[0] && <Explanation outputs={a.explanations[0]} />}
      {a.flagged > 0 && (
        <div className="outcome warn">
          scored, but {a.flagged} value{a.flagged === 1 ? " lies" : "s lie"} outside what training saw:{" "}
          {a.flags.map((f) => `${f.field} (${f.reason.replace(/_/g, " ")})`).join(", ")}
        </div>
      )}
      <h3 className="sub-title">Provenance</h3>
      <div className="provenance">
        <KeyValues
          items={[
            ["model", prov.model],
            ["version", <Link to={`/models/${encodeURIComponent(name)}/${prov.version}`} data-provenance-version={prov.version}>v{prov.version}</Link>],
            ["asked as", prov.alias ? <AliasChip alias={prov.alias} /> : `version ${prov.version}`],
            ["aliases now", a.aliases.length ? a.aliases.map((x) => <AliasChip key={x} alias={x} />) : <span className="muted">none</span>],
            ["run", <Link to={`/runs/${prov.runId}`}><code>{prov.runId}</code></Link>],
            ["dataset", <code>{prov.datasetId}</code>],
            ["dataset hash", <code className="small break">{prov.datasetHash}</code>],
            ["artifact", <code className="small break">{prov.artifactUri}</code>],
            ["model time", `${fmtNum(a.ms, 2)} ms`],
          ]}
        />
      </div>
    </Card>
  );
}

function PredictForm({ detail }: { detail: ModelVersionDetail }) {
  const v = detail.version;
  const fields = v.signature.inputs;
  const initial = (): Values => Object.fromEntries(fields.map((f) => [f.name, asText(v.inputExample?.[f.name])]));
  const [values, setValues] = useState<Values>(initial);
  const [answer, setAnswer] = useState<PredictResponse | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const explain = useExplainChoice();
  const url = `/api/models/${encodeURIComponent(v.name)}/${v.version}/predict`;
  const body = { records: [toRecord(fields, values)], ...explain.fields };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setAnswer(await postJson<PredictResponse>(url, body));
    } catch (err) {
      setAnswer(null);
      setError(err instanceof ApiFailure ? err : new ApiFailure(0, { error: "client_error", message: String(err) }));
    } finally {
      setBusy(false);
    }
  };
  const flagOf = (name: string): string | null => {
    const f = answer?.flags.find((x) => x.field === name);
    if (f) return f.reason.replace(/_/g, " ");
    if (error?.body.path && error.body.path.replace(/^records\[\d+\]\./, "") === name) return error.body.message;
    return null;
  };
  const curl = [
    `curl -s ${window.location.origin}${url}`,
    `  -H 'content-type: application/json'`,
    ...(hasToken() ? [`  -H "authorization: Bearer $MILLRACE_API_TOKEN"`] : []),
    `  -d '${JSON.stringify(body).replace(/'/g, "'\\''")}'`,
  ].join(" \\\n");

  return (
    <div className="grid two">
      <Card title={`Inputs of ${v.name} v${v.version}`} extra={v.inputExample ? <button type="button" className="btn small" onClick={() => setValues(initial())}>reset to the example</button> : undefined}>
        <form className="predict-form" onSubmit={submit}>
          <div className="fields">
            {fields.map((f) => (
              <Field key={f.name} f={f} value={values[f.name] ?? ""} flagged={flagOf(f.name)} set={(x) => setValues((s) => ({ ...s, [f.name]: x }))} />
            ))}
          </div>
          <div className="toolbar">
            <button className="btn primary" type="submit" disabled={busy}>
              {busy ? "scoring…" : `Predict with v${v.version}`}
            </button>
            {explain.toggle}
            <span className="muted small">not logged: it does not count as traffic or move drift</span>
          </div>
        </form>
      </Card>
      <div>
        {error && <ErrorBox error={error} />}
        {answer && <Answer a={answer} name={v.name} />}
        <Card title="The same request from a terminal">
          <pre className="code small curl">{curl}</pre>
          <div className="muted small">
            it asks v{v.version} exactly, whatever the aliases say; <code>/predict</code> answers with the served alias.
          </div>
        </Card>
      </div>
    </div>
  );
}

const CHUNK = 1000;

/** A CSV with the signature's columns in, the same rows out with the answer of exactly this version added. */
function Batch({ detail }: { detail: ModelVersionDetail }) {
  const v = detail.version;
  const fields = v.signature.inputs;
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [result, setResult] = useState<{ url: string; file: string; rows: number; flagged: number } | null>(null);
  const url = `/api/models/${encodeURIComponent(v.name)}/${v.version}/predict`;

  const score = async (file: File) => {
    setError(null);
    setResult(null);
    try {
      const [header, ...rows] = parseCsv(await file.text());
      if (!header || rows.length === 0) throw new ApiFailure(400, { error: "validation_error", message: `${file.name} has no rows under its header` });
      const at = new Map(header.map((h, i) => [h.trim(), i]));
      const missing = fields.filter((f) => !at.has(f.name) && !f.nullable).map((f) => f.name);
      if (missing.length) throw new ApiFailure(400, { error: "validation_error", message: `${file.name} lacks the column(s) ${missing.join(", ")}`, hint: `v${v.version} reads: ${fields.map((f) => f.name).join(", ")}` });
      const classes = v.signature.output.classes ?? [];
      const out: string[] = [[...header, "prediction", ...classes.map((c) => `probability_${c}`), "model", "version"].map(csvCell).join(",")];
      let flagged = 0;
      for (let i = 0; i < rows.length; i += CHUNK) {
        setBusy(`scoring rows ${i + 1}–${Math.min(rows.length, i + CHUNK)} of ${rows.length}`);
        const chunk = rows.slice(i, i + CHUNK);
        const records = chunk.map((r) => toRecord(fields, Object.fromEntries(fields.map((f) => [f.name, at.has(f.name) ? (r[at.get(f.name)!] ?? "") : ""]))));
        let a: PredictResponse;
        try {
          a = await postJson<PredictResponse>(url, { records });
        } catch (e) {
          // records[3].tenure → line 5 of the file (the header is line 1).
          if (e instanceof ApiFailure && e.body.path) {
            const m = /^records\[(\d+)\]\.?(.*)$/.exec(e.body.path);
            if (m) throw new ApiFailure(e.status, { ...e.body, message: `line ${i + Number(m[1]) + 2}${m[2] ? `, column ${m[2]}` : ""}: ${e.body.message}` });
          }
          throw e;
        }
        flagged += a.flagged;
        a.predictions.forEach((p, j) => {
          const answer = p.label ?? p.value;
          out.push([...chunk[j], answer, ...classes.map((c) => p.probabilities?.[c]), v.name, v.version].map(csvCell).join(","));
        });
      }
      const blob = new Blob([out.join("\n") + "\n"], { type: "text/csv" });
      setResult({ url: URL.createObjectURL(blob), file: `${file.name.replace(/\.csv$/i, "")}-scored-${v.name}-v${v.version}.csv`, rows: rows.length, flagged });
    } catch (e) {
      setError(e instanceof ApiFailure ? e : new ApiFailure(0, { error: "client_error", message: String(e) }));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Card title={`Score a CSV with v${v.version}`}>
      <div className="toolbar">
        <label>
          CSV with a header row naming the inputs
          <input type="file" name="batch" accept=".csv,text/csv" disabled={busy !== null} onChange={(e) => e.target.files?.[0] && void score(e.target.files[0])} />
        </label>
        {busy && <span className="muted small">{busy}…</span>}
      </div>
      {error && <ErrorBox error={error.status === 401 || error.status === 404 ? new ApiFailure(400, error.body) : error} />}
      {result && (
        <div className="outcome ok" role="status">
          {result.rows} rows scored{result.flagged > 0 ? ` (${result.flagged} values outside what training saw)` : ""}:{" "}
          <a href={result.url} download={result.file} data-rows={result.rows}>
            download {result.file}
          </a>
        </div>
      )}
      <div className="muted small">scored in this page, {CHUNK} rows per request, and not logged; for large files use <code>millrace predict --model {v.name}@{v.version} -i in.csv -o scored.csv</code></div>
    </Card>
  );
}

export default function Predict({ params, query }: { params: Record<string, string>; query: URLSearchParams }) {
  const name = params.name;
  const models = useApi<ModelsResponse>("/models");
  const m = models.data?.models.find((x) => x.name === name);
  const aliases = m ? [...new Set(m.versions.flatMap((v) => v.aliases))].sort() : [];
  const byAlias = (a: string) => m?.versions.find((v) => v.aliases.includes(a))?.version;
  const served = models.data?.configured.name === name ? models.data.configured.alias : null;
  const askedAlias = query.get("alias");
  const askedVersion = query.get("version");
  const defaultAlias = served && byAlias(served) !== undefined ? served : null;
  const alias = askedAlias ?? (askedVersion ? null : defaultAlias);
  const version = askedVersion ? Number(askedVersion) : alias ? byAlias(alias) : m?.versions[0]?.version;
  const detail = useApi<ModelVersionDetail>(version ? `/models/${encodeURIComponent(name)}/${version}` : null);
  const pick = alias ? `alias:${alias}` : `v:${version ?? ""}`;

  return (
    <>
      <PageHeader
        title={<>Predict with {name}</>}
        sub="a form from the version's signature; the answer comes from exactly the version picked"
        actions={
          m && (
            <label className="inline">
              version
              <select
                aria-label="version"
                name="version"
                value={pick}
                onChange={(e) => {
                  const [kind, val] = e.target.value.split(":");
                  setQuery(kind === "alias" ? { alias: val, version: null } : { version: val, alias: null });
                }}
              >
                {aliases.map((a) => (
                  <option key={`a${a}`} value={`alias:${a}`}>
                    @{a} (v{byAlias(a)})
                  </option>
                ))}
                {m.versions.map((v) => (
                  <option key={v.version} value={`v:${v.version}`}>
                    v{v.version} {v.stage !== "None" ? `(${v.stage})` : ""}{v.archived ? " archived" : ""}
                  </option>
                ))}
              </select>
            </label>
          )
        }
      />
      <Loaded state={models} what="reading the registry">
        {() =>
          !m ? (
            <Empty title={`no model ${name} is registered`}>
              <Link to="/models">the registered models</Link>
            </Empty>
          ) : alias && version === undefined ? (
            <Empty title={`no version of ${name} holds @${alias}`} />
          ) : (
            <Loaded state={detail} what="reading the signature">
              {(d) => (
                <>
                  <div className="muted small picked">
                    answering: <Link to={`/models/${encodeURIComponent(name)}/${d.version.version}`}>v{d.version.version}</Link> <Badge text={d.version.stage} />{" "}
                    {d.version.aliases.map((a) => <AliasChip key={a} alias={a} />)} {d.version.description}
                  </div>
                  <PredictForm key={`${d.version.name}@${d.version.version}`} detail={d} />
                  <Batch key={`batch-${d.version.name}@${d.version.version}`} detail={d} />
                </>
              )}
            </Loaded>
          )
        }
      </Loaded>
    </>
  );
}
