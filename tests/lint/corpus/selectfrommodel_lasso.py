import pandas as pd
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LassoCV, LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.metrics import r2_score

omics = pd.read_csv("metabolites.csv")
y = omics["bmi"]
X = omics.drop(columns=["bmi", "participant"])

sfm = SelectFromModel(LassoCV(cv=5, random_state=0)).fit(X, y)
X_small = X.loc[:, sfm.get_support()]
print(X_small.shape)

X_train, X_test, y_train, y_test = train_test_split(X_small, y, random_state=0)
ols = LinearRegression().fit(X_train, y_train)
print("test R2", r2_score(y_test, ols.predict(X_test)))
