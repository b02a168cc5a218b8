import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

tx = pd.read_csv("transactions.csv")
customers = tx.groupby("customer_id").agg(
    n_tx=("amount", "size"),
    total=("amount", "sum"),
    mean_amount=("amount", "mean"),
    churned=("churned", "max"),
).reset_index()

X = customers[["n_tx", "total", "mean_amount"]]
y = customers["churned"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
rf = RandomForestClassifier(n_estimators=200, random_state=0).fit(X_train, y_train)
print(roc_auc_score(y_test, rf.predict_proba(X_test)[:, 1]))
