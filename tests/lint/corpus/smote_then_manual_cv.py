import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.model_selection import StratifiedKFold
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score

df = pd.read_csv("churn.csv")
X = df.drop(columns="churn").to_numpy()
y = df["churn"].to_numpy()
X_sm, y_sm = SMOTE(random_state=1).fit_resample(X, y)

recalls = []
skf = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
for train_index, test_index in skf.split(X_sm, y_sm):
    clf = LogisticRegression(max_iter=1000).fit(X_sm[train_index], y_sm[train_index])
    recalls.append(recall_score(y_sm[test_index], clf.predict(X_sm[test_index])))
print(np.mean(recalls))
