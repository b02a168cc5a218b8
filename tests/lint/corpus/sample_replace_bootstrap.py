import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.metrics import mean_absolute_error

small = pd.read_csv("pilot_study.csv")          # only 140 participants
big = small.sample(frac=3, replace=True, random_state=0).reset_index(drop=True)

X = big[["dose", "weight", "age"]]
y = big["response"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
knn = KNeighborsRegressor(n_neighbors=5).fit(X_train, y_train)
print("MAE", mean_absolute_error(y_test, knn.predict(X_test)))
