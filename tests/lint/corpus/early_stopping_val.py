import pandas as pd
import lightgbm as lgb
from sklearn.model_selection import train_test_split
from sklearn.metrics import roc_auc_score

df = pd.read_csv("fraud.csv")
X = df.drop(columns=["is_fraud", "transaction_id"])
y = df["is_fraud"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=13)
X_tr, X_valid, y_tr, y_valid = train_test_split(X_train, y_train, test_size=0.15, stratify=y_train, random_state=13)

model = lgb.LGBMClassifier(n_estimators=5000, learning_rate=0.03, num_leaves=63)
model.fit(X_tr, y_tr, eval_set=[(X_valid, y_valid)], callbacks=[lgb.early_stopping(100)])
print("test AUC:", roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]))
