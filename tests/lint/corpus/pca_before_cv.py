import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.model_selection import cross_val_score, StratifiedKFold
from sklearn.linear_model import LogisticRegression

expr = pd.read_csv("expression_matrix.csv", index_col=0)
labels = pd.read_csv("phenotypes.csv", index_col=0)["responder"]

pca = PCA(n_components=20)
components = pca.fit_transform(expr.values)
print("explained variance:", pca.explained_variance_ratio_.sum())

cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
scores = cross_val_score(LogisticRegression(max_iter=500), components, labels, cv=cv, scoring="roc_auc")
print("AUC %.3f +/- %.3f" % (scores.mean(), scores.std()))
