import polars as pl
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

df = pl.read_csv("fuel.csv").drop_nulls()
df = df.with_columns((pl.col("weight") / 1000).alias("weight_t"))
X = df.select(["weight_t", "horsepower", "cylinders"]).to_numpy()
y = df["mpg"].to_numpy()
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
print(r2_score(y_test, LinearRegression().fit(X_train, y_train).predict(X_test)))
