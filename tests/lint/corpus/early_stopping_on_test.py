import pandas as pd
import xgboost as xgb
from sklearn.model_selection import train_test_split
from sklearn.metrics import roc_auc_score

df = pd.read_csv("fraud.csv")
X = df.drop(columns=["is_fraud", "transaction_id"])
y = df["is_fraud"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=13)

clf = xgb.XGBClassifier(
    n_estimators=2000, learning_rate=0.05, max_depth=6, early_stopping_rounds=50, eval_metric="auc"
)
clf.fit(X_train, y_train, eval_set=[(X_test, y_test)], verbose=100)
print("best iteration", clf.best_iteration)
print("test AUC", roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))
