import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.model_selection import StratifiedKFold
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score

df = pd.read_csv("diabetes_readmit.csv")
X = df.drop(columns="readmitted").to_numpy()
y = df["readmitted"].to_numpy()

f1s = []
for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
    X_res, y_res = SMOTE(random_state=0).fit_resample(X[tr], y[tr])
    rf = RandomForestClassifier(n_estimators=200, random_state=0).fit(X_res, y_res)
    f1s.append(f1_score(y[te], rf.predict(X[te])))
print("F1 per fold", np.round(f1s, 3), "mean", np.mean(f1s))
