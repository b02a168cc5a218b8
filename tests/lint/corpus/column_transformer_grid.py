import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, train_test_split

df = pd.read_csv("adult.csv")
y = (df.pop("income") == ">50K").astype(int)
num = df.select_dtypes("number").columns
cat = df.select_dtypes("object").columns
pre = ColumnTransformer([
    ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), num),
    ("cat", Pipeline([("imp", SimpleImputer(strategy="most_frequent")),
                      ("oh", OneHotEncoder(handle_unknown="ignore"))]), cat),
])
model = Pipeline([("pre", pre), ("gb", GradientBoostingClassifier(random_state=0))])
X_train, X_test, y_train, y_test = train_test_split(df, y, test_size=0.2, random_state=0, stratify=y)
grid = GridSearchCV(model, {"gb__n_estimators": [100, 200], "gb__max_depth": [2, 3]}, cv=3, n_jobs=-1)
grid.fit(X_train, y_train)
print("test accuracy", grid.score(X_test, y_test))
