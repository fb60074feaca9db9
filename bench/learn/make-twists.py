# Builds seven small sets a new user might bring, from scikit-learn's bundled data (BSD-3) and ../shared/data, each
# with a twist the benchmark sets lack: an id and a date column, a constant column and missing values (diabetes),
# quoted text labels with commas and a UTF-8 header (wine), a 300-level noise categorical (digits), a row id
# (credit), a target with 30% zeros and a 300-level categorical (cps_bonus), ids as categories in 20k rows (insteval),
# an integer-coded multiclass target (iris). Nobody tuned the learners on them (issue 11: "data nobody tuned for").
# Usage: /usr/bin/python3 bench/learn/make-twists.py OUTDIR   (bench/learn/datasets.mjs lists them, size "twists")
import os, sys
import numpy as np, pandas as pd
from sklearn import datasets as D

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/millrace-data"
shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data")
os.makedirs(out, exist_ok=True)
w = lambda df, name: df.to_csv(os.path.join(out, name), index=False)
rng = np.random.default_rng(7)

d = D.load_diabetes(as_frame=True, scaled=False).frame
d.insert(0, "patient_id", np.arange(100000, 100000 + len(d)))
d["visit_date"] = pd.date_range("2020-01-01", periods=len(d), freq="D").astype(str)
d["clinic"] = "north"
d.loc[rng.random(len(d)) < 0.1, "bmi"] = np.nan
w(d.rename(columns={"target": "progression"}), "twist_diabetes.csv")

wi = D.load_wine(as_frame=True).frame
wi["cultivar"] = wi["target"].map({0: "Barolo, Piemonte", 1: "Grignolino d'Asti", 2: 'Barbera, "classic"'})
w(wi.drop(columns="target").rename(columns={"alcohol": "alcool_°", "color_intensity": "intensité_couleur"}), "twist_wine.csv")

g = D.load_digits(as_frame=True).frame
y = (g["target"] >= 5).astype(int)
g = g.drop(columns="target")
g["batch"] = ["b%03d" % i for i in rng.integers(0, 300, len(g))]
g["is_high"] = np.where(y == 1, "yes", "no")
w(g, "twist_digits.csv")

w(D.load_iris(as_frame=True).frame, "twist_iris.csv")

c = pd.read_csv(os.path.join(shared, "cps1988.csv")).sample(12000, random_state=1).reset_index(drop=True)
c["county"] = ["c%03d" % v for v in (c["education"] * 17 + rng.integers(0, 300, len(c))) % 300]
c["bonus"] = np.where(rng.random(len(c)) < 0.3, 0.0, np.round(c["wage"] * 0.05 * rng.random(len(c)), 2))
c.loc[rng.random(len(c)) < 0.05, "experience"] = np.nan
w(c.drop(columns="wage"), "twist_cps_bonus.csv")

cr = pd.read_csv(os.path.join(shared, "credit_data.csv"))
cr.insert(0, "row_id", np.arange(len(cr)))
w(cr, "twist_credit.csv")

w(pd.read_csv(os.path.join(shared, "insteval_ratings.csv")).sample(20000, random_state=3), "twist_insteval20k.csv")
print(f"wrote 7 twist_*.csv to {out}")
