import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

houses = pd.read_csv("melbourne.csv").select_dtypes("number")
X, y = houses.drop(columns="Price"), houses["Price"]
X_train, X_valid, y_train, y_valid = train_test_split(X, y, train_size=0.8, random_state=0)

imp = SimpleImputer()
imp.fit(X)
X_train_imp = imp.transform(X_train)
X_valid_imp = imp.transform(X_valid)
forest = RandomForestRegressor(n_estimators=100, random_state=0).fit(X_train_imp, y_train)
print(mean_absolute_error(y_valid, forest.predict(X_valid_imp)))
