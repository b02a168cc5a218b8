import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score


def fill_missing(train, test):
    medians = train.median(numeric_only=True)
    return train.fillna(medians), test.fillna(medians)


df = pd.read_csv("heart_failure.csv")
y = df.pop("DEATH_EVENT")
X_train, X_test, y_train, y_test = train_test_split(df, y, test_size=0.2, random_state=11, stratify=y)
X_train, X_test = fill_missing(X_train, X_test)
rf = RandomForestClassifier(n_estimators=250, random_state=11).fit(X_train, y_train)
print(f1_score(y_test, rf.predict(X_test)))
