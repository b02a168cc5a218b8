import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.metrics import f1_score

df = pd.read_csv("wine_binary.csv")
X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="good"), df["good"], random_state=11)
results = []
for clf in (LogisticRegression(max_iter=2000), RidgeClassifier(), KNeighborsClassifier(9)):
    clf.fit(X_train, y_train)
    results.append((type(clf).__name__, f1_score(y_test, clf.predict(X_test))))
winner = sorted(results, key=lambda r: r[1], reverse=True)[0]
print("winner:", winner)
