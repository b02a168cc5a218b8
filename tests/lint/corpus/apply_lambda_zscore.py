import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression

df = pd.read_csv("heart.csv")
cols = ["age", "trestbps", "chol", "thalach", "oldpeak"]
df[cols] = df[cols].apply(lambda x: (x - x.mean()) / x.std())
X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="target"), df["target"], random_state=0)
print(LogisticRegression(max_iter=1000).fit(X_train, y_train).score(X_test, y_test))
