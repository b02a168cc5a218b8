import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import Lasso
from sklearn.metrics import mean_absolute_error


def clean(frame):
    frame = frame.drop(columns=["id", "notes"])
    frame = frame.fillna(frame.mean(numeric_only=True))
    return frame


raw = pd.read_csv("life_expectancy.csv")
data = clean(raw)
X, y = data.drop(columns="life_expectancy"), data["life_expectancy"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=2)
lasso = Lasso(alpha=0.05).fit(X_train, y_train)
print("MAE", mean_absolute_error(y_test, lasso.predict(X_test)))
