import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error

air = pd.read_csv("air_quality.csv", parse_dates=["datetime"]).sort_values("datetime")
air["pm25_lag1"] = air["pm25"].shift(1)
air["pm25_lag24"] = air["pm25"].shift(24)
air["pm25_ma24"] = air["pm25"].shift(1).rolling(24).mean()
air = air.dropna()

X = air[["pm25_lag1", "pm25_lag24", "pm25_ma24", "temp", "wind"]]
X_train, X_test, y_train, y_test = train_test_split(X, air["pm25"], test_size=0.2, shuffle=False)
ridge = Ridge().fit(X_train, y_train)
print("MAE on the last 20% of the period:", mean_absolute_error(y_test, ridge.predict(X_test)))
