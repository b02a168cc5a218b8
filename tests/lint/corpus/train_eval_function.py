import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVR
from sklearn.metrics import mean_absolute_error


def train_and_evaluate(X_train, X_test, y_train, y_test, C=1.0):
    scaler = MinMaxScaler()
    X_train = scaler.fit_transform(X_train)
    X_test = scaler.transform(X_test)
    model = SVR(C=C).fit(X_train, y_train)
    return mean_absolute_error(y_test, model.predict(X_test))


df = pd.read_csv("abalone.csv")
X = df.drop(columns=["rings", "sex"])
y = df["rings"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=12)
print("MAE", train_and_evaluate(X_train, X_test, y_train, y_test, C=3.0))
