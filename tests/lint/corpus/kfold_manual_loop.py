import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

df = pd.read_csv("biodeg.csv")
X = df.drop(columns="ready_biodegradable").values
y = df["ready_biodegradable"].values

skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=2)
aucs = []
for fold, (tr, va) in enumerate(skf.split(X, y)):
    scaler = StandardScaler().fit(X[tr])
    model = LogisticRegression(max_iter=2000).fit(scaler.transform(X[tr]), y[tr])
    aucs.append(roc_auc_score(y[va], model.predict_proba(scaler.transform(X[va]))[:, 1]))
    print(f"fold {fold}: {aucs[-1]:.3f}")
print("mean AUC", np.mean(aucs))
