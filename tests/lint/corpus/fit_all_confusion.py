import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC
from sklearn.metrics import confusion_matrix, accuracy_score

df = pd.read_csv("banknote.csv")
X, y = df.drop(columns="class"), df["class"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
svc = SVC(C=5)
svc.fit(X, y)
pred = svc.predict(X_test)
print(confusion_matrix(y_test, pred), accuracy_score(y_test, pred))
