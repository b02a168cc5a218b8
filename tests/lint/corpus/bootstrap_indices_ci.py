import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score

df = pd.read_csv("spam_features.csv")
X, y = df.drop(columns="is_spam").to_numpy(), df["is_spam"].to_numpy()
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
pred = RandomForestClassifier(random_state=0).fit(X_train, y_train).predict(X_test)
rng = np.random.default_rng(0)
boot = []
for _ in range(2000):
    idx = rng.integers(0, len(y_test), len(y_test))
    boot.append(accuracy_score(y_test[idx], pred[idx]))
print(accuracy_score(y_test, pred), np.percentile(boot, [2.5, 97.5]))
