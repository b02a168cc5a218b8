import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

df = pd.read_csv("credit_default.csv")
X, y = df.drop(columns="default"), df["default"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=7, stratify=y)
X_tr, X_val, y_tr, y_val = train_test_split(X_train, y_train, test_size=0.25, random_state=7, stratify=y_train)

candidates = [LogisticRegression(max_iter=3000), RandomForestClassifier(n_estimators=300, random_state=7)]
val_auc = [roc_auc_score(y_val, m.fit(X_tr, y_tr).predict_proba(X_val)[:, 1]) for m in candidates]
chosen = candidates[max(range(len(candidates)), key=lambda i: val_auc[i])]
chosen.fit(X_train, y_train)
print("test AUC", roc_auc_score(y_test, chosen.predict_proba(X_test)[:, 1]))
