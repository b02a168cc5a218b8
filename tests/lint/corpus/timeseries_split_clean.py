import pandas as pd
import numpy as np
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.ensemble import RandomForestRegressor

sales = pd.read_csv("daily_sales.csv", parse_dates=["date"]).sort_values("date")
for lag in (1, 7, 14):
    sales[f"lag_{lag}"] = sales["units"].shift(lag)
sales["rolling_7"] = sales["units"].shift(1).rolling(7).mean()
sales = sales.dropna()

features = ["lag_1", "lag_7", "lag_14", "rolling_7", "price", "promo"]
tscv = TimeSeriesSplit(n_splits=5)
model = RandomForestRegressor(n_estimators=200, random_state=0)
mae = -cross_val_score(model, sales[features], sales["units"], cv=tscv, scoring="neg_mean_absolute_error")
print(np.round(mae, 2))

cut = int(len(sales) * 0.8)
train, test = sales.iloc[:cut], sales.iloc[cut:]
model.fit(train[features], train["units"])
print("holdout MAE", np.mean(np.abs(model.predict(test[features]) - test["units"])))
