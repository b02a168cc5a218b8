import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import recall_score, precision_score, average_precision_score

df = pd.read_csv("creditcard.csv")
X = df.drop(["Class", "Time"], axis=1)
y = df["Class"]

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
X_train_res, y_train_res = SMOTE(random_state=2).fit_resample(X_train, y_train)

rf = RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=-1).fit(X_train_res, y_train_res)
proba = rf.predict_proba(X_test)[:, 1]
pred = (proba > 0.5).astype(int)
print(recall_score(y_test, pred), precision_score(y_test, pred), average_precision_score(y_test, proba))
