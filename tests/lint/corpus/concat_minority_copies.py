import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score

tx = pd.read_csv("transactions_labelled.csv")
fraud = tx[tx.fraud == 1]
tx_up = pd.concat([tx] + [fraud] * 10, ignore_index=True)

X = tx_up.drop(columns=["fraud", "tx_id"])
y = tx_up["fraud"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
rf = RandomForestClassifier(n_estimators=300, random_state=0).fit(X_train, y_train)
print("F1", f1_score(y_test, rf.predict(X_test)))
