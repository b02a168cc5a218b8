import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

df = pd.read_csv("spam_features.csv")
X, y = df.drop(columns="is_spam"), df["is_spam"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

for name, model in [("majority baseline", DummyClassifier()), ("logistic regression", LogisticRegression(max_iter=2000))]:
    model.fit(X_train, y_train)
    print(f"{name}: test accuracy {accuracy_score(y_test, model.predict(X_test)):.3f}")
