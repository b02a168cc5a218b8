import pandas as pd
from sklearn.model_selection import train_test_split, GridSearchCV
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

df = pd.read_csv("energy.csv")
target = "heating_load"
X, y = df.drop(columns=target), df[target]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=8)

params = {"n_estimators": [100, 300], "max_depth": [None, 8, 16]}
search = GridSearchCV(RandomForestRegressor(random_state=8), params, cv=5, scoring="neg_mean_absolute_error")
search.fit(X, y)
print(search.best_params_)
print("MAE on test:", mean_absolute_error(y_test, search.predict(X_test)))
