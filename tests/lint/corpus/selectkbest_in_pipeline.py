import pandas as pd
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split

genes = pd.read_csv("microarray.csv")
y = genes.pop("tumour")
X = genes.drop(columns=["sample_id"])

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
pipe = make_pipeline(StandardScaler(), SelectKBest(f_classif), LogisticRegression(max_iter=2000))
grid = GridSearchCV(pipe, {"selectkbest__k": [10, 50, 200]}, cv=5)
grid.fit(X_train, y_train)
print(grid.best_params_, "test accuracy", grid.score(X_test, y_test))
