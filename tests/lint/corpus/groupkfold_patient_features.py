import pandas as pd
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.linear_model import LogisticRegression

adm = pd.read_csv("admissions.csv")
adm["n_prior"] = adm.groupby("patient_id").cumcount()
X = adm[["age", "n_prior", "emergency"]]
scores = cross_val_score(LogisticRegression(max_iter=1000), X, adm["readmitted_30d"],
                         groups=adm["patient_id"], cv=GroupKFold(n_splits=5), scoring="roc_auc")
print(scores.mean())
