"""Two ways to prepare the data; the second one (used below) splits first."""
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from sklearn.linear_model import LogisticRegression


def prepare_old(df):
    X = MinMaxScaler().fit_transform(df.drop(columns="y"))
    return train_test_split(X, df["y"], random_state=0)


def prepare(df):
    X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="y"), df["y"], random_state=0)
    mm = MinMaxScaler().fit(X_train)
    return mm.transform(X_train), mm.transform(X_test), y_train, y_test


X_train, X_test, y_train, y_test = prepare(pd.read_csv("data.csv"))
print(LogisticRegression().fit(X_train, y_train).score(X_test, y_test))
