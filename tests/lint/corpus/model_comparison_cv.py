import pandas as pd
from sklearn.model_selection import train_test_split, cross_val_score, StratifiedKFold
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier
from sklearn.svm import SVC
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("heart.csv")
X, y = df.drop("target", axis=1), df["target"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)

candidates = {
    "logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
    "forest": RandomForestClassifier(n_estimators=300, random_state=0),
    "svm": make_pipeline(StandardScaler(), SVC()),
}
cv = StratifiedKFold(5, shuffle=True, random_state=0)
cv_means = {name: cross_val_score(m, X_train, y_train, cv=cv).mean() for name, m in candidates.items()}
best = max(cv_means, key=cv_means.get)
print("chosen by CV:", best, cv_means)

final = candidates[best].fit(X_train, y_train)
print("test accuracy of the chosen model:", final.score(X_test, y_test))
