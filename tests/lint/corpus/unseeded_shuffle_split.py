import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score

df = pd.read_csv("marketing.csv")
X, y = df.drop(columns="responded"), df["responded"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=.2, shuffle=True, stratify=y)
gbc = GradientBoostingClassifier(subsample=0.8, random_state=5).fit(X_train, y_train)
print(roc_auc_score(y_test, gbc.predict_proba(X_test)[:, 1]))
