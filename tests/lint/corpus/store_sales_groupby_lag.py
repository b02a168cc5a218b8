import pandas as pd
from sklearn.model_selection import train_test_split
from lightgbm import LGBMRegressor
from sklearn.metrics import mean_squared_error

df = pd.read_csv("store_item_demand.csv", parse_dates=["date"])
df = df.sort_values(["store", "item", "date"])
grp = df.groupby(["store", "item"])["sales"]
df["lag_7"] = grp.shift(7)
df["lag_28"] = grp.shift(28)
df["roll_mean_28"] = grp.transform(lambda s: s.shift(1).rolling(28).mean())
df = df.dropna()

feats = ["store", "item", "lag_7", "lag_28", "roll_mean_28"]
X_train, X_val, y_train, y_val = train_test_split(df[feats], df["sales"], test_size=0.2, random_state=42)
model = LGBMRegressor(n_estimators=500).fit(X_train, y_train)
print(mean_squared_error(y_val, model.predict(X_val)) ** 0.5)
