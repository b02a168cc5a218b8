import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression


def standardize(frame, cols):
    out = frame.copy()
    out[cols] = (frame[cols] - frame[cols].mean()) / frame[cols].std()
    return out


df = pd.read_csv("pima.csv")
cols = ["glucose", "bmi", "age", "insulin"]
df = standardize(df, cols)
tr, te = train_test_split(df, test_size=0.25, random_state=0, stratify=df["diabetes"])
model = LogisticRegression().fit(tr[cols], tr["diabetes"])
print("test accuracy:", model.score(te[cols], te["diabetes"]))
