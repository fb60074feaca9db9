#!/usr/bin/python3
"""Peer training time as CPU seconds (all threads) and best-of-N wall seconds, on the split peer_baselines.py made.

  peer-cpu.py CSV TARGET TASK --rows TEST_ROWS [--positive L] [--drop a,b] [--cat a,b] [--models xgb2,rf] [--repeat 3]

Same encoding and estimators as ../shared/bench/peer_baselines.py (its functions are imported, not copied). The machine
is shared: wall seconds of a 2-thread fit swing 10-80x with the load (XGBoost's OpenMP threads spin while they wait for
a core), so this reports CPU seconds (time.process_time: every thread of the process) with OMP_WAIT_POLICY=PASSIVE (set
by the caller: no spinning charged) and the best wall of N. Prints one JSON line per model on stdout.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/bench"))
import numpy as np  # noqa: E402
import peer_baselines as pb  # noqa: E402
import xgboost as xgb  # noqa: E402
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("target")
    ap.add_argument("task")
    ap.add_argument("--rows", required=True)
    ap.add_argument("--positive")
    ap.add_argument("--drop", default="")
    ap.add_argument("--cat", default="")
    ap.add_argument("--models", default="xgb2")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    df = pb.pd.read_csv(a.csv, low_memory=False)
    X, y, cat_cols, num_cols, classes = pb.prepare(df, a.target, a.task, [c for c in a.drop.split(",") if c],
                                                   [c for c in a.cat.split(",") if c], a.positive)
    test = np.zeros(len(X), dtype=bool)
    test[np.loadtxt(a.rows, dtype=np.int64)] = True
    Xtr, Xte, ytr = X[~test], X[test], y[~test]
    enc = pb.encode_all(Xtr, Xte, cat_cols, num_cols)
    common = dict(tree_method="hist", n_estimators=200, max_depth=6, learning_rate=0.1, enable_categorical=True,
                  random_state=pb.SEED)
    for key in a.models.split(","):
        if key == "xgb2":
            obj = {"binary": "binary:logistic", "multiclass": "multi:softprob", "regression": "reg:squarederror"}[a.task]
            make = (lambda: xgb.XGBRegressor(objective=obj, n_jobs=2, **common)) if a.task == "regression" else \
                (lambda: xgb.XGBClassifier(objective=obj, n_jobs=2, **common))
            data = enc["xgb"][0]
        elif key == "rf":
            make = (lambda: RandomForestRegressor(n_estimators=100, n_jobs=2, random_state=pb.SEED, max_features=1.0)) \
                if a.task == "regression" else (lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=pb.SEED))
            data = enc["rf"][0]
        else:
            sys.exit(f"unknown model {key}")
        walls, cpus = [], []
        for _ in range(a.repeat):
            m = make()
            c0, t0 = time.process_time(), time.perf_counter()
            m.fit(data, ytr)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        print(json.dumps({"model": key, "wall_s": min(walls), "cpu_s": min(cpus), "walls": walls, "cpus": cpus}), flush=True)


if __name__ == "__main__":
    main()
