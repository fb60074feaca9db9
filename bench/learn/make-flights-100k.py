#!/usr/bin/python3
"""flights_100k.csv: a seeded 100,000-row sample of flights_3m.csv (../shared/bench/make-datasets.sh; BSD-3 /
US DOT data) without the `delay` column: a binary set (delayed15) with two ~230-level categoricals.
Usage: /usr/bin/python3 bench/learn/make-flights-100k.py /tmp/millrace-data/flights_3m.csv /tmp/millrace-data/flights_100k.csv"""
import sys
import pandas as pd

df = pd.read_csv(sys.argv[1])
df.sample(n=100000, random_state=7).drop(columns=["delay"]).to_csv(sys.argv[2], index=False)
