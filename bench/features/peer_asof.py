"""Peer for bench/features.mjs: the same point-in-time join with pandas merge_asof (Debian python3-pandas).

Three timed parts, as Millrace's end-to-end cut: read the labels and three feature views from CSV (ts as epoch
microseconds; column types given, as Millrace's read is given them: no type inference on either side), join (sort by
time, as merge_asof needs, then merge_asof per view by entity within the TTL: backward, exact matches allowed, as
Millrace's ASOF JOIN), write the result as CSV. Wall and process CPU time of each. Writes
the rows of a sample of label ids for the row-by-row check (untimed).
usage: peer_asof.py DIR TTL_US SAMPLE_IDS_FILE OUT_CSV
"""
import json
import sys
import time
from collections import defaultdict

import pandas as pd

d, ttl_us, sample_file, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
c_start = time.process_time()
t_load = time.perf_counter()
labels = pd.read_csv(f"{d}/labels.csv", dtype={"lid": "int64", "entity_id": "int64", "ts": "int64", "label": "int32"})
views = [pd.read_csv(f"{d}/view{i}.csv", dtype=defaultdict(lambda: "float64", entity_id="int64", ts="int64")) for i in range(3)]
for df in [labels, *views]:
    df["ts"] = pd.to_datetime(df["ts"], unit="us")
load_s = time.perf_counter() - t_load

t0 = time.perf_counter()
c0 = time.process_time()
out_df = labels.sort_values("ts", kind="stable")
for i, v in enumerate(views):
    v = v.sort_values("ts", kind="stable")
    out_df = pd.merge_asof(out_df, v, on="ts", by="entity_id", direction="backward", allow_exact_matches=True,
                           tolerance=pd.Timedelta(microseconds=ttl_us))
join_s = time.perf_counter() - t0
join_cpu = time.process_time() - c0

t_write = time.perf_counter()
written = out_df.assign(ts=out_df["ts"].astype("int64") // 1000)
written.to_csv(f"{d}/peer_out.csv", index=False)
write_s = time.perf_counter() - t_write
total_cpu = time.process_time() - c_start

ids = [int(x) for x in open(sample_file).read().split()]
sample = out_df[out_df["lid"].isin(ids)].sort_values("lid")
sample.drop(columns=["ts"]).to_csv(out, index=False)
print(json.dumps({"rows": int(len(out_df)), "load_s": load_s, "join_s": join_s, "join_cpu": join_cpu,
                  "write_s": write_s, "total_cpu": total_cpu}))
