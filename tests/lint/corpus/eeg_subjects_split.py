import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC
from sklearn.metrics import accuracy_score

epochs = pd.read_csv("eeg_epochs_features.csv")   # 40 subjects x ~300 epochs each
epochs["alpha_rel_subject"] = epochs["alpha_power"] / epochs.groupby("subject_id")["alpha_power"].transform("mean")
epochs["epoch_index"] = epochs.groupby("subject_id").cumcount()

cols = ["alpha_rel_subject", "beta_power", "theta_power", "epoch_index"]
X_train, X_test, y_train, y_test = train_test_split(epochs[cols], epochs["drowsy"], test_size=0.2, random_state=0)
svm = SVC(C=1.0).fit(X_train, y_train)
print("accuracy", accuracy_score(y_test, svm.predict(X_test)))
