import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X, y = load_diabetes(return_X_y=True)
cv = KFold(n_splits=10, shuffle=True)
pipe = make_pipeline(StandardScaler(), Lasso(alpha=0.1))
r2 = cross_val_score(pipe, X, y, cv=cv, scoring="r2")
print(f"R2 = {np.mean(r2):.3f} (sd {np.std(r2):.3f})")
