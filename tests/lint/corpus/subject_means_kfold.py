import pandas as pd
from sklearn.model_selection import KFold, GroupKFold, cross_val_score
from sklearn.svm import SVC
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

gait = pd.read_csv("gait_strides.csv")
for col in ["stride_time", "cadence", "step_width"]:
    gait[col + "_subj_mean"] = gait.groupby("subject")[col].transform("mean")

X = gait.filter(like="_subj_mean").join(gait[["stride_time", "cadence"]])
y = gait["parkinsons"]
cv = KFold(n_splits=5, shuffle=True, random_state=0)
print(cross_val_score(make_pipeline(StandardScaler(), SVC()), X, y, cv=cv).mean())
