import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.utils import resample

df = pd.read_csv("sepsis.csv")
X, y = df.drop(columns="sepsis"), df["sepsis"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
clf = LogisticRegression(max_iter=3000).fit(X_train, y_train)
proba = clf.predict_proba(X_test)[:, 1]
print("AUC", roc_auc_score(y_test, proba))

aucs = []
for i in range(1000):
    yb, pb = resample(y_test, proba, replace=True, random_state=i)
    aucs.append(roc_auc_score(yb, pb))
print("95% CI", np.percentile(aucs, [2.5, 97.5]))
