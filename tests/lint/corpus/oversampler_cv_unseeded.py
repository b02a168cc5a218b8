import pandas as pd
from imblearn.over_sampling import RandomOverSampler
from sklearn.model_selection import cross_val_score, StratifiedKFold
from sklearn.tree import DecisionTreeClassifier

df = pd.read_csv("yeast.csv")
X, y = df.drop(columns="class"), df["class"]
X_over, y_over = RandomOverSampler().fit_resample(X, y)
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
print(cross_val_score(DecisionTreeClassifier(random_state=0), X_over, y_over, cv=cv, scoring="f1_macro").mean())
