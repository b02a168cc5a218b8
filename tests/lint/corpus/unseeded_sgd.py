from sklearn.datasets import fetch_20newsgroups
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score

train = fetch_20newsgroups(subset="train", remove=("headers", "footers", "quotes"))
test = fetch_20newsgroups(subset="test", remove=("headers", "footers", "quotes"))

vec = TfidfVectorizer(sublinear_tf=True, max_df=0.5, stop_words="english")
X_train = vec.fit_transform(train.data)
X_test = vec.transform(test.data)

sgd = SGDClassifier(loss="modified_huber", alpha=1e-4, max_iter=50)
sgd.fit(X_train, train.target)
print("accuracy", accuracy_score(test.target, sgd.predict(X_test)))
