import pandas as pd
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.linear_model import Ridge

meter = pd.read_csv("smart_meter.csv", parse_dates=["ts"], index_col="ts").sort_index()
meter["kwh"] = meter["kwh"].interpolate(limit=3)
meter["kwh_lag1"] = meter["kwh"].shift(1)
meter["kwh_lag48"] = meter["kwh"].shift(48)
meter = meter.dropna()
X = meter[["kwh_lag1", "kwh_lag48", "outdoor_temp"]]
scores = cross_val_score(Ridge(), X, meter["kwh"], cv=TimeSeriesSplit(n_splits=6), scoring="r2")
print(scores.round(3))
