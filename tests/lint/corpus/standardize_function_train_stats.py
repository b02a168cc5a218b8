import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression


def standardize(train, other, cols):
    mu = train[cols].mean()
    sd = train[cols].std()
    return (train[cols] - mu) / sd, (other[cols] - mu) / sd


df = pd.read_csv("pima.csv")
cols = ["glucose", "bmi", "age", "insulin"]
tr, te = train_test_split(df, test_size=0.25, random_state=0, stratify=df["diabetes"])
Xtr, Xte = standardize(tr, te, cols)
model = LogisticRegression().fit(Xtr, tr["diabetes"])
print("test accuracy:", model.score(Xte, te["diabetes"]))
