// Tables: the lake's tables at their current versions, bronze → silver → gold.
import type { TableRow } from "../../../src/ui-api/types.js";
import { useApi, useProjectDir } from "../api.js";
import { DataTable } from "../components/DataTable.js";
import { Card, Empty, Loaded, PageHeader } from "../components/States.js";
import { fmtAgo, fmtInt, fmtTime } from "../format.js";
import { Link } from "../router.js";

export default function Tables() {
  const dir = useProjectDir();
  const state = useApi<TableRow[]>("/tables");
  return (
    <>
      <PageHeader title="Tables" sub="versioned lake tables (Parquet + manifest log); every version stays readable until vacuumed" />
      <Loaded state={state} what="opening the lake">
        {(rows) =>
          rows.length === 0 ? (
            <Empty title="no tables yet: the pipeline ingests the landing files into bronze and builds silver and gold" command={`millrace run ${dir}`} />
          ) : (
            <Card>
              <DataTable
                rows={rows}
                rowKey={(t) => t.table}
                columns={[
                  { key: "layer", label: "layer", render: (t) => <span className={`layer ${t.layer}`}>{t.layer}</span> },
                  { key: "table", label: "table", render: (t) => <Link to={`/tables/${t.table}`} data-table={t.table}>{t.table}</Link>, sort: (t) => t.table },
                  { key: "version", label: "version", align: "right", render: (t) => `v${t.version}`, sort: (t) => t.version },
                  { key: "rows", label: "rows", align: "right", render: (t) => fmtInt(t.rowCount), sort: (t) => t.rowCount },
                  { key: "columns", label: "columns", align: "right", render: (t) => t.columns, sort: (t) => t.columns },
                  { key: "operation", label: "last write", render: (t) => t.operation, sort: (t) => t.operation },
                  { key: "created", label: "updated", render: (t) => <span title={fmtTime(t.createdAt)}>{fmtAgo(t.createdAt)}</span>, sort: (t) => t.createdAt },
                  { key: "hash", label: "content hash", render: (t) => <code className="small">{t.contentHash.slice(0, 12)}</code> },
                ]}
              />
            </Card>
          )
        }
      </Loaded>
    </>
  );
}
