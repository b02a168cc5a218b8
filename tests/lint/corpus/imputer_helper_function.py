import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder
from sklearn.model_selection import train_test_split
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import balanced_accuracy_score

NUMERIC = ["age", "income", "tenure_months", "balance"]
CATEGORICAL = ["region", "plan"]


def load(path):
    frame = pd.read_csv(path)
    return frame[frame["status"] != "test_account"]


def preprocess(frame):
    imputer = SimpleImputer(strategy="median")
    num = pd.DataFrame(imputer.fit_transform(frame[NUMERIC]), columns=NUMERIC, index=frame.index)
    enc = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    cat = enc.fit_transform(frame[CATEGORICAL])
    cat = pd.DataFrame(cat, columns=enc.get_feature_names_out(), index=frame.index)
    return pd.concat([num, cat], axis=1)


def main():
    customers = load("customers.csv")
    X = preprocess(customers)
    y = customers["defaulted"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    gb = GradientBoostingClassifier(random_state=0).fit(X_train, y_train)
    print("balanced accuracy:", balanced_accuracy_score(y_test, gb.predict(X_test)))


if __name__ == "__main__":
    main()
