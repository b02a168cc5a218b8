import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

df = pd.read_csv("spam_features.csv").sample(frac=1.0, random_state=0).reset_index(drop=True)
n_train = int(0.8 * len(df))
train = df[:n_train]
test = df[n_train:]

feature_cols = [c for c in df.columns if c != "is_spam"]
mms = MinMaxScaler().fit(train[feature_cols])
clf = LogisticRegression(max_iter=1000).fit(mms.transform(train[feature_cols]), train["is_spam"])
print(accuracy_score(test["is_spam"], clf.predict(mms.transform(test[feature_cols]))))
