from sklearn import preprocessing
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

iris = load_iris()
X = preprocessing.scale(iris.data)
X_train, X_test, y_train, y_test = train_test_split(X, iris.target, test_size=0.3, random_state=0)
svm = LinearSVC(C=0.5, dual=False).fit(X_train, y_train)
print("score", svm.score(X_test, y_test))
