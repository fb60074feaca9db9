#!/usr/bin/python3
"""Drift peer, end to end the seeds' way: read the NDJSON prediction log with json + pandas (one row per logged record),
then Evidently's default statistics with scipy (wasserstein_distance / np.std for numeric columns with > 5 values,
jensenshannon over category shares floored at 1e-4 otherwise) against the reference CSV.
Usage: drift_peer_ndjson.py LOG_DIR REFERENCE_CSV COLUMNS_JSON  → prints {"readMs", "statsMs", "rows", "scores"}."""
import glob
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

log_dir, ref_csv, columns_json = sys.argv[1], sys.argv[2], sys.argv[3]
meta = json.load(open(columns_json))  # [{"name", "kind"}]
names = [m["name"] for m in meta]

t0 = time.perf_counter()
records = []
for path in sorted(glob.glob(f"{log_dir}/*.ndjson")):
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                p = json.loads(line)
            except ValueError:
                continue
            if "request" in p:
                records.extend(p["request"]["records"])
            else:
                records.append(p["inputs"])
cur = pd.DataFrame.from_records(records, columns=names)
read_ms = (time.perf_counter() - t0) * 1000
ref = pd.read_csv(ref_csv)


def shares(counts):
    s = counts / counts.sum()
    s[s == 0] = 1e-4
    return s


t1 = time.perf_counter()
scores = []
for m in meta:
    name = m["name"]
    if m["kind"] == "numeric":
        r = pd.to_numeric(ref[name], errors="coerce").to_numpy(dtype=float)
        c = pd.to_numeric(cur[name], errors="coerce").to_numpy(dtype=float)
        r, c = r[np.isfinite(r)], c[np.isfinite(c)]
        if len(np.union1d(np.unique(r), np.unique(c))) > 5:
            scores.append(float(stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)))
            continue
    else:
        r = ref[name].dropna().astype(str).to_numpy()
        c = cur[name].dropna().astype(str).to_numpy()
    keys = np.union1d(np.unique(r), np.unique(c))
    rc = pd.Series(r).value_counts().reindex(keys, fill_value=0).to_numpy(dtype=float)
    cc = pd.Series(c).value_counts().reindex(keys, fill_value=0).to_numpy(dtype=float)
    scores.append(float(distance.jensenshannon(shares(rc), shares(cc))))
stats_ms = (time.perf_counter() - t1) * 1000
print(json.dumps({"readMs": read_ms, "statsMs": stats_ms, "rows": len(cur), "scores": scores}))
