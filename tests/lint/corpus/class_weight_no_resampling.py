import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, average_precision_score

df = pd.read_csv("rare_disease.csv")
X, y = df.drop(columns="diagnosis"), df["diagnosis"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, test_size=0.3, random_state=0)
clf = LogisticRegression(class_weight="balanced", max_iter=5000).fit(X_train, y_train)
print(balanced_accuracy_score(y_test, clf.predict(X_test)),
      average_precision_score(y_test, clf.predict_proba(X_test)[:, 1]))
