import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

visits = pd.read_csv("ehr_visits.csv")
visits["visit_number"] = visits.groupby("patient_id").cumcount()
visits["mean_hr_patient"] = visits.groupby("patient_id")["heart_rate"].transform("mean")

feature_cols = ["age", "heart_rate", "sbp", "visit_number", "mean_hr_patient"]
X_train, X_test, y_train, y_test = train_test_split(
    visits[feature_cols], visits["readmitted"], test_size=0.2, stratify=visits["readmitted"], random_state=0
)
clf = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print("AUC", roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]))
