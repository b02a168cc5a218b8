import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

houses = pd.read_csv("kc_house_data.csv", parse_dates=["date"])
houses["sale_month"] = houses["date"].dt.month
houses["sale_year"] = houses["date"].dt.year
houses["age_at_sale"] = houses["sale_year"] - houses["yr_built"]

cols = ["sqft_living", "bedrooms", "bathrooms", "grade", "lat", "long", "sale_month", "age_at_sale"]
X_train, X_test, y_train, y_test = train_test_split(houses[cols], houses["price"], test_size=0.2, random_state=0)
rf = RandomForestRegressor(n_estimators=300, random_state=0, n_jobs=-1).fit(X_train, y_train)
print("MAE", mean_absolute_error(y_test, rf.predict(X_test)))
