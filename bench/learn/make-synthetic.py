#!/usr/bin/python3
"""Writes the peers' synthetic set (make_classification n=N, 28 features, 12 informative, random_state=0,
float32) as CSV, so Millrace trains on the very rows peer_baselines.py --synthetic N generates."""
import sys

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification

n, out = int(sys.argv[1]), sys.argv[2]
X, y = make_classification(n_samples=n, n_features=28, n_informative=12, random_state=0)
df = pd.DataFrame(X.astype(np.float32), columns=[f"f{i}" for i in range(28)])
df["target"] = y
df.to_csv(out, index=False, float_format="%.9g")
