import pandas as pd
from imblearn.pipeline import make_pipeline
from imblearn.over_sampling import SMOTE
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.model_selection import train_test_split
from sklearn.metrics import recall_score

df = pd.read_csv("defects.csv")
X, y = df.drop(columns="defective"), df["defective"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(SMOTE(), ExtraTreesClassifier(n_estimators=300))
pipe.fit(X_train, y_train)
print("recall", recall_score(y_test, pipe.predict(X_test)))
