import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

data = pd.read_parquet("sensor_features.parquet")
X = data.drop(columns=["failure"])
y = data["failure"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

screen = RandomForestClassifier(n_estimators=300, random_state=0).fit(X_train, y_train)
importance = pd.Series(screen.feature_importances_, index=X_train.columns)
keep = importance.nlargest(25).index

final = RandomForestClassifier(n_estimators=500, random_state=0).fit(X_train[keep], y_train)
print("AUC", roc_auc_score(y_test, final.predict_proba(X_test[keep])[:, 1]))
