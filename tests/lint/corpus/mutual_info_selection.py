import pandas as pd
import numpy as np
from sklearn.feature_selection import mutual_info_classif
from sklearn.model_selection import train_test_split
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score

df = pd.read_csv("credit.csv")
y = df["default"]
X = df.drop(columns=["default"]).select_dtypes("number").fillna(-1)

mi = mutual_info_classif(X, y, random_state=0)
mi = pd.Series(mi, index=X.columns)
best_cols = mi.nlargest(15).index.tolist()

X_train, X_test, y_train, y_test = train_test_split(X[best_cols], y, test_size=0.2, random_state=0)
hgb = HistGradientBoostingClassifier().fit(X_train, y_train)
print(accuracy_score(y_test, hgb.predict(X_test)))
