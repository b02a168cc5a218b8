import pandas as pd
from sklearn.feature_selection import SelectFromModel
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.model_selection import GridSearchCV, train_test_split

df = pd.read_csv("arrhythmia.csv")
X, y = df.drop(columns="class"), df["class"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
pipe = Pipeline([("select", SelectFromModel(RandomForestClassifier(n_estimators=200, random_state=0))),
                 ("clf", LogisticRegression(max_iter=3000))])
grid = GridSearchCV(pipe, {"select__threshold": ["mean", "median"], "clf__C": [0.1, 1]}, cv=5)
grid.fit(X_train, y_train)
print(grid.best_params_, grid.score(X_test, y_test))
