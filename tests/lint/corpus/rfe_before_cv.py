from sklearn.datasets import make_classification
from sklearn.feature_selection import RFE
from sklearn.svm import LinearSVC
from sklearn.model_selection import cross_val_score, KFold

X, y = make_classification(n_samples=120, n_features=500, n_informative=5, random_state=1)

rfe = RFE(LinearSVC(dual=False), n_features_to_select=10, step=0.1)
rfe.fit(X, y)
X_sel = rfe.transform(X)

folds = KFold(n_splits=10, shuffle=True, random_state=1)
acc = cross_val_score(LinearSVC(dual=False), X_sel, y, cv=folds)
print("CV accuracy: %.2f" % acc.mean())
