import pandas as pd
from sklearn.model_selection import train_test_split, GridSearchCV
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error

df = pd.read_csv("energy.csv")
X, y = df.drop(columns="heating_load"), df["heating_load"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=8)

search = GridSearchCV(
    RandomForestRegressor(random_state=8),
    {"n_estimators": [100, 300], "max_depth": [None, 8, 16]},
    cv=5,
    scoring="neg_mean_absolute_error",
)
search.fit(X_train, y_train)
print("best CV MAE:", -search.best_score_)
print("test MAE:", mean_absolute_error(y_test, search.predict(X_test)))
