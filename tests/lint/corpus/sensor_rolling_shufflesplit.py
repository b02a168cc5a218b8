import numpy as np
import pandas as pd
from sklearn.model_selection import ShuffleSplit, cross_val_score
from sklearn.ensemble import RandomForestClassifier

machine = pd.read_csv("machine_telemetry.csv", parse_dates=["datetime"]).sort_values("datetime")
for col in ["volt", "rotate", "pressure", "vibration"]:
    machine[f"{col}_mean_3h"] = machine[col].rolling(3).mean()
    machine[f"{col}_sd_24h"] = machine[col].rolling(24).std()
machine = machine.dropna()

features = [c for c in machine.columns if c.endswith(("_3h", "_24h"))]
splitter = ShuffleSplit(n_splits=5, test_size=0.2, random_state=0)
acc = cross_val_score(RandomForestClassifier(random_state=0), machine[features], machine["failure_soon"], cv=splitter)
print(np.mean(acc))
