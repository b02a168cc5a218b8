import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

claims = pd.read_csv("claims.csv")
y = claims.pop("fraudulent")
X_train, X_test, y_train, y_test = train_test_split(claims, y, test_size=0.3, random_state=99, stratify=y)
X_fit, X_cal, y_fit, y_cal = train_test_split(X_train, y_train, test_size=0.25, random_state=99, stratify=y_train)

clf = LogisticRegression(max_iter=3000, class_weight="balanced").fit(X_fit, y_fit)
cal_proba = clf.predict_proba(X_cal)[:, 1]
thresholds = np.linspace(0.05, 0.95, 19)
f1s = [f1_score(y_cal, (cal_proba >= t).astype(int)) for t in thresholds]
best_t = thresholds[int(np.argmax(f1s))]

test_pred = (clf.predict_proba(X_test)[:, 1] >= best_t).astype(int)
print("threshold chosen on calibration rows:", best_t, "test F1:", f1_score(y_test, test_pred))
