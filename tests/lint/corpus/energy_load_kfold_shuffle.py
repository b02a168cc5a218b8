import pandas as pd
import numpy as np
from sklearn.model_selection import KFold, cross_val_score
from sklearn.linear_model import Ridge

load = pd.read_csv("hourly_load.csv", parse_dates=["timestamp"], index_col="timestamp")
load["load_lag24"] = load["load_mw"].shift(24)
load["load_lag168"] = load["load_mw"].shift(168)
load["temp_ma6"] = load["temperature"].rolling(6).mean()
load = load.dropna()

X = load[["load_lag24", "load_lag168", "temp_ma6", "temperature"]]
y = load["load_mw"]
cv = KFold(n_splits=5, shuffle=True, random_state=0)
print(cross_val_score(Ridge(alpha=1.0), X, y, cv=cv, scoring="r2").mean())
