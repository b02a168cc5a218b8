"""Training entry point; the preprocessing lives in features.py."""
import pandas as pd
from sklearn.metrics import roc_auc_score

from features import build_features, split_by_time
from models import make_model

raw = pd.read_csv("events.csv")
X, y = build_features(raw)
X_train, X_test, y_train, y_test = split_by_time(X, y, cutoff="2023-01-01")

model = make_model()
model.fit(X_train, y_train)
print("AUC", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
