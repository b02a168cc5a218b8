import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import recall_score, precision_score

df = pd.read_csv("creditcard.csv")
X = df.drop(["Class", "Time"], axis=1)
y = df["Class"]
print(y.value_counts())

sm = SMOTE(random_state=2)
X_res, y_res = sm.fit_resample(X, y)
print(pd.Series(y_res).value_counts())

X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, test_size=0.3, random_state=0)
rf = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1)
rf.fit(X_train, y_train)
pred = rf.predict(X_test)
print("recall", recall_score(y_test, pred), "precision", precision_score(y_test, pred))
