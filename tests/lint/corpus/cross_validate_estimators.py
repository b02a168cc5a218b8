from sklearn.datasets import load_diabetes
from sklearn.model_selection import cross_validate, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.linear_model import Ridge

X, y = load_diabetes(return_X_y=True)
pipe = Pipeline([("poly", PolynomialFeatures(2)), ("sc", StandardScaler()), ("ridge", Ridge(alpha=10))])
res = cross_validate(pipe, X, y, cv=KFold(5, shuffle=True, random_state=0), return_estimator=True,
                     scoring=("r2", "neg_mean_absolute_error"))
print(res["test_r2"].mean(), -res["test_neg_mean_absolute_error"].mean())
