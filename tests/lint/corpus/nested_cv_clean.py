import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, cross_val_score, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.feature_selection import SelectKBest
from sklearn.svm import SVC

X, y = load_breast_cancer(return_X_y=True)
inner = StratifiedKFold(3, shuffle=True, random_state=1)
outer = StratifiedKFold(5, shuffle=True, random_state=2)
pipe = make_pipeline(StandardScaler(), SelectKBest(), SVC())
search = GridSearchCV(pipe, {"selectkbest__k": [5, 10, 20], "svc__C": [0.1, 1, 10]}, cv=inner)
print("nested CV accuracy", np.mean(cross_val_score(search, X, y, cv=outer)))
