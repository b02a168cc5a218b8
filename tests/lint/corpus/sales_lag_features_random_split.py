import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_percentage_error

sales = pd.read_csv("daily_sales.csv", parse_dates=["date"])
sales = sales.sort_values("date").reset_index(drop=True)

for lag in (1, 7, 14):
    sales[f"lag_{lag}"] = sales["units"].shift(lag)
sales["rolling_7"] = sales["units"].rolling(7).mean()
sales["dow"] = sales["date"].dt.dayofweek
sales = sales.dropna()

features = ["lag_1", "lag_7", "lag_14", "rolling_7", "dow", "price", "promo"]
X_train, X_test, y_train, y_test = train_test_split(
    sales[features], sales["units"], test_size=0.2, random_state=0
)
model = RandomForestRegressor(n_estimators=300, random_state=0).fit(X_train, y_train)
print("MAPE:", mean_absolute_percentage_error(y_test, model.predict(X_test)))
