import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import ExtraTreesRegressor
from sklearn.metrics import r2_score


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop_duplicates()
    frame = frame.dropna(subset=["price", "sqft"])
    frame = frame[frame["price"] > 1000]
    frame["price_per_sqft"] = frame["price"] / frame["sqft"]
    frame["age"] = 2024 - frame["year_built"]
    return frame


homes = clean(pd.read_csv("homes.csv"))
X = homes[["sqft", "bedrooms", "bathrooms", "age", "lat", "lon"]]
y = homes["price"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=5)
et = ExtraTreesRegressor(n_estimators=200, random_state=5).fit(X_train, y_train)
print("R2", r2_score(y_test, et.predict(X_test)))
