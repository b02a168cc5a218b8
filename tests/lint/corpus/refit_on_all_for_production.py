import joblib
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report

df = pd.read_csv("loans.csv")
X = df.drop(columns="approved")
y = df["approved"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=4, stratify=y)

pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
pipe.fit(X_train, y_train)
report = classification_report(y_test, pipe.predict(X_test))
print(report)

# the evaluation is done; ship a model trained on every labelled row
pipe.fit(X, y)
joblib.dump(pipe, "model.joblib")
