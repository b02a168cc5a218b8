import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import recall_score

adm = pd.read_csv("admissions.csv")
adm["n_visits"] = adm.groupby("patientID")["visit_no"].transform("max")
adm["los_mean"] = adm.groupby("patientID")["length_of_stay"].transform("mean")
X = adm[["age", "n_visits", "los_mean", "emergency"]]
X_train, X_test, y_train, y_test = train_test_split(X, adm["readmitted_30d"], test_size=0.2, random_state=0)
rf = RandomForestClassifier(n_estimators=300, random_state=0).fit(X_train, y_train)
print(recall_score(y_test, rf.predict(X_test)))
