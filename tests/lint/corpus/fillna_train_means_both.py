import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression

df = pd.read_csv("pima.csv")
X, y = df.drop(columns="diabetes"), df["diabetes"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
means = X_train.mean()
X_train = X_train.fillna(means)
X_test = X_test.fillna(means)
print(LogisticRegression(max_iter=1000).fit(X_train, y_train).score(X_test, y_test))
