import pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from project.data import temporal_split

df = pd.read_csv("admissions.csv")
X_train, X_test, y_train, y_test = temporal_split(df, target="readmit", cutoff="2022-06-30")

scaler = StandardScaler()
X_train_s = scaler.fit_transform(X_train)
X_test_s = scaler.transform(X_test)
clf = LogisticRegression(max_iter=1000).fit(X_train_s, y_train)
print(accuracy_score(y_test, clf.predict(X_test_s)))
