import pandas as pd
from sklearn.model_selection import cross_val_score
from sklearn.ensemble import RandomForestClassifier

trials = pd.read_csv("trials.csv")
trials["rel_rate"] = trials["firing_rate"] - trials.groupby("mouse_id")["firing_rate"].transform("mean")
trials["trial_in_session"] = trials.groupby("mouse_id").cumcount()

X = trials[["rel_rate", "trial_in_session", "stim_contrast"]]
y = trials["choice"]
scores = cross_val_score(RandomForestClassifier(n_estimators=300, random_state=1), X, y, cv=10)
print("CV accuracy", scores.mean())
