import pandas as pd
from imblearn.combine import SMOTETomek
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import classification_report


def balance(X, y, seed=0):
    sampler = SMOTETomek(random_state=seed)
    return sampler.fit_resample(X, y)


def run(path):
    df = pd.read_csv(path)
    X, y = df.drop(columns="label"), df["label"]
    X_bal, y_bal = balance(X, y)
    X_train, X_test, y_train, y_test = train_test_split(X_bal, y_bal, test_size=0.25, random_state=0)
    model = RandomForestClassifier(n_estimators=250, random_state=0).fit(X_train, y_train)
    print(classification_report(y_test, model.predict(X_test)))


run("thyroid.csv")
