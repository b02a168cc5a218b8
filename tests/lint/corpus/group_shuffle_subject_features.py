import pandas as pd
from sklearn.model_selection import GroupShuffleSplit
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score

gait = pd.read_csv("gait_strides.csv")
gait["cadence_rel"] = gait["cadence"] / gait.groupby("subject")["cadence"].transform("mean")
cols = ["cadence_rel", "stride_time", "step_width"]
splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=0)
tr, te = next(splitter.split(gait, groups=gait["subject"]))
train, test = gait.iloc[tr], gait.iloc[te]
rf = RandomForestClassifier(n_estimators=300, random_state=0).fit(train[cols], train["parkinsons"])
print(accuracy_score(test["parkinsons"], rf.predict(test[cols])))
