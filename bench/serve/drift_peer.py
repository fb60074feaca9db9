#!/usr/bin/python3
"""Drift peer: the statistics Evidently runs by default (scipy wasserstein_distance / np.std, jensenshannon over
category shares floored at 1e-4) plus PSI at reference deciles, on the arrays bench/serve/drift.mjs wrote.
Prints {"ms": stats time, "scores": [...]} (loading excluded)."""
import json
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial import distance

d = sys.argv[1]
meta = json.load(open(f"{d}/meta.json"))
cols = []
for j, m in enumerate(meta):
    dt = np.float64 if m["kind"] == "numeric" else np.int32
    cols.append((np.fromfile(f"{d}/r{j}.bin", dtype=dt), np.fromfile(f"{d}/c{j}.bin", dtype=dt)))


def shares(counts):
    s = counts / counts.sum()
    s[s == 0] = 1e-4
    return s


t0 = time.perf_counter()
scores = []
for (r, c), m in zip(cols, meta):
    if m["kind"] == "numeric":
        r = r[np.isfinite(r)]
        c = c[np.isfinite(c)]
    else:
        r = r[r >= 0]
        c = c[c >= 0]
    if m["method"] == "wasserstein":
        score = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
    else:
        keys = np.union1d(np.unique(r), np.unique(c))
        rc = np.array([np.sum(r == k) for k in keys], dtype=float) if len(keys) < 64 else np.unique(r, return_counts=True)[1]
        cc = np.array([np.sum(c == k) for k in keys], dtype=float) if len(keys) < 64 else np.unique(c, return_counts=True)[1]
        score = float(distance.jensenshannon(shares(rc), shares(cc)))
    # PSI at reference deciles, as ours reports for every column
    if m["kind"] == "numeric":
        edges = np.unique(np.quantile(r, np.arange(1, 10) / 10, method="lower"))
        pr = shares(np.bincount(np.searchsorted(edges, r, side="right"), minlength=len(edges) + 1).astype(float))
        pc = shares(np.bincount(np.searchsorted(edges, c, side="right"), minlength=len(edges) + 1).astype(float))
        psi = float(np.sum((pr - pc) * np.log(pr / pc)))
    scores.append(float(score))
ms = (time.perf_counter() - t0) * 1000
print(json.dumps({"ms": ms, "scores": scores}))
