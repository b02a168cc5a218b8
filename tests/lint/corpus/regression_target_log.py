import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_absolute_error

rides = pd.read_csv("taxi_trips.csv")
rides = rides[(rides.trip_distance > 0) & (rides.trip_distance < 100)]
rides["fare"] = rides["fare"].clip(lower=2.5, upper=500)
rides["log_fare"] = np.log1p(rides["fare"])
rides["hour"] = pd.to_datetime(rides["pickup_datetime"]).dt.hour

X = rides[["trip_distance", "passenger_count", "hour"]]
X_train, X_test, y_train, y_test = train_test_split(X, rides["log_fare"], test_size=0.1, random_state=0)
model = HistGradientBoostingRegressor(max_iter=300).fit(X_train, y_train)
print("MAE in dollars", mean_absolute_error(np.expm1(y_test), np.expm1(model.predict(X_test))))
