from sklearn.datasets import load_wine
from sklearn.model_selection import ShuffleSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

X, y = load_wine(return_X_y=True)
cv = ShuffleSplit(n_splits=10, test_size=0.2)
print(cross_val_score(make_pipeline(StandardScaler(), SVC()), X, y, cv=cv).mean())
