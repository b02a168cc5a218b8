import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

data = pd.read_csv("sonar.csv", header=None)
X = data.iloc[:, :-1]
y = (data.iloc[:, -1] == "M").astype(int)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)

X_train = (X_train - X_train.mean()) / X_train.std()
X_test = (X_test - X_test.mean()) / X_test.std()

logit = LogisticRegression(max_iter=500).fit(X_train, y_train)
print(accuracy_score(y_test, logit.predict(X_test)))
