// A run's artifact files (what it logged and the model versions registered from it) with sizes and a download each.
import { useState } from "react";
import type { ArtifactFile, RunArtifactsResponse } from "../../../src/ui-api/types.js";
import { ApiFailure, downloadFile, useApi } from "../api.js";
import { Link } from "../router.js";
import { DataTable } from "./DataTable.js";
import { ErrorBox, Loaded } from "./States.js";

export function fmtBytes(n: number | null): string {
  if (n === null) return "missing";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function ArtifactList({ runId }: { runId: string }) {
  const state = useApi<RunArtifactsResponse>(`/runs/${encodeURIComponent(runId)}/artifacts`);
  const [error, setError] = useState<ApiFailure | null>(null);
  const download = async (f: ArtifactFile) => {
    setError(null);
    try {
      await downloadFile(`/runs/${encodeURIComponent(runId)}/artifact?name=${encodeURIComponent(f.name)}`, f.name.split("/").pop()!);
    } catch (e) {
      setError(e instanceof ApiFailure ? e : new ApiFailure(0, { error: "client_error", message: String(e) }));
    }
  };
  return (
    <Loaded state={state} what="listing the artifacts">
      {({ files }) =>
        files.length === 0 ? (
          <span className="muted">this run logged no artifact</span>
        ) : (
          <div className="artifacts">
            <DataTable
              dense
              rows={files}
              rowKey={(f) => f.name}
              columns={[
                { key: "name", label: "file", render: (f) => <span className="mono small" title={f.uri} data-artifact={f.name}>{f.name}</span>, sort: (f) => f.name },
                { key: "bytes", label: "size", align: "right", render: (f) => fmtBytes(f.bytes), sort: (f) => f.bytes },
                { key: "model", label: "registered as", render: (f) => (f.model ? <Link to={`/models/${encodeURIComponent(f.model.name)}/${f.model.version}`}>{f.model.name} v{f.model.version}</Link> : "") },
                { key: "get", label: "", render: (f) => <button type="button" className="btn small" disabled={f.bytes === null} onClick={() => void download(f)} aria-label={`download ${f.name}`}>download</button> },
              ]}
            />
            {error && <ErrorBox error={error.status === 401 || error.status === 404 ? new ApiFailure(400, error.body) : error} />}
          </div>
        )
      }
    </Loaded>
  );
}
