import pandas as pd
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

genes = pd.read_csv("microarray.csv")
y = genes["tumour"]
X = genes.drop(columns=["tumour", "sample_id"])
print(X.shape)  # 72 x 7129

selector = SelectKBest(score_func=f_classif, k=50)
X_new = selector.fit_transform(X, y)

X_train, X_test, y_train, y_test = train_test_split(X_new, y, test_size=0.3, random_state=0)
clf = LogisticRegression(max_iter=2000).fit(X_train, y_train)
print("accuracy on test:", accuracy_score(y_test, clf.predict(X_test)))
