#!/usr/bin/python3
"""XGBoost on peer_baselines.py's split drawn with another seed (issue 11: is a gap the split's or the learner's?).

  xgb-seed.py CSV TARGET TASK --seed S --split-out FILE [--positive L] [--drop a,b] [--cat a,b] [--xgb '{"max_bin":1024}']

Same preparation, encoding and XGBoost settings as peer_baselines.py (its functions are imported), with
train_test_split(random_state=S) instead of 42; writes the test rows (0-based, sorted) for bench/learn/run-one.mjs and
prints one JSON line {seed, metric, value}. --xgb overrides XGBoost parameters (to probe what moves the peer).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/bench"))
import numpy as np  # noqa: E402
import peer_baselines as pb  # noqa: E402
import xgboost as xgb  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("csv")
ap.add_argument("target")
ap.add_argument("task")
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--split-out", required=True)
ap.add_argument("--positive")
ap.add_argument("--drop", default="")
ap.add_argument("--cat", default="")
ap.add_argument("--xgb", default="{}")
a = ap.parse_args()
import pandas as pd  # noqa: E402

df = pd.read_csv(a.csv, low_memory=False)
X, y, cat_cols, num_cols, classes = pb.prepare(df, a.target, a.task, [c for c in a.drop.split(",") if c],
                                               [c for c in a.cat.split(",") if c], a.positive)
strat = y if a.task != "regression" else None
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=a.seed, stratify=strat)
np.savetxt(a.split_out, np.sort(Xte.index.to_numpy()), fmt="%d")
enc = pb.encode_all(Xtr, Xte, cat_cols, num_cols)
params = dict(tree_method="hist", n_estimators=200, max_depth=6, learning_rate=0.1, enable_categorical=True,
              random_state=pb.SEED, n_jobs=2)
params.update(json.loads(a.xgb))
if a.task == "regression":
    m = xgb.XGBRegressor(objective="reg:squarederror", **params)
    m.fit(enc["xgb"][0], ytr)
    pred = m.predict(enc["xgb"][1])
    print(json.dumps({"seed": a.seed, "metric": "rmse", "value": pb.metrics(a.task, yte, pred, 0)["rmse"]}))
else:
    m = xgb.XGBClassifier(objective="binary:logistic" if a.task == "binary" else "multi:softprob", **params)
    m.fit(enc["xgb"][0], ytr)
    p = m.predict_proba(enc["xgb"][1])
    if a.task == "binary":
        p = p[:, 1]
    print(json.dumps({"seed": a.seed, "metric": "auc", "value": pb.metrics(a.task, yte, p, len(classes))["auc"]}))
