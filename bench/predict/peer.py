"""Peer for bench/predict.mjs: XGBoost 1.7 (hist, 2 threads, native categoricals) trained on the same sample as
Millrace's model, then scoring a whole CSV the way a Python batch job does: pandas read_csv, predict_proba, to_csv.
Prints one JSON line: train and score seconds (read, predict, write) and rows.

  /usr/bin/python3 bench/predict/peer.py TRAIN.csv SCORE.csv OUT.csv TARGET DROP
"""
import json
import sys
import time

import pandas as pd
import xgboost as xgb

train_csv, score_csv, out_csv, target, drop = sys.argv[1:6]

def frame(df):
    X = df.drop(columns=[c for c in (target, drop) if c in df.columns])
    for c in X.columns:
        if X[c].dtype == object:
            X[c] = X[c].astype("category")
    return X

t0 = time.perf_counter()
tr = pd.read_csv(train_csv)
X = frame(tr)
cats = {c: X[c].cat.categories for c in X.columns if str(X[c].dtype) == "category"}
model = xgb.XGBClassifier(n_estimators=200, max_depth=6, learning_rate=0.1, max_bin=255, tree_method="hist", n_jobs=2, enable_categorical=True)
model.fit(X, tr[target])
train_s = time.perf_counter() - t0

t1 = time.perf_counter()
df = pd.read_csv(score_csv)
t2 = time.perf_counter()
Xs = frame(df)
for c, levels in cats.items():
    Xs[c] = pd.Categorical(Xs[c], categories=levels)
p = model.predict_proba(Xs)
t3 = time.perf_counter()
out = pd.DataFrame({"prediction": (p[:, 1] >= 0.5).astype(int), "probability_0": p[:, 0], "probability_1": p[:, 1]})
out.to_csv(out_csv, index=False)
t4 = time.perf_counter()
print(json.dumps({"train_s": train_s, "read_s": t2 - t1, "predict_s": t3 - t2, "write_s": t4 - t3, "score_s": t4 - t1, "rows": len(df)}))
