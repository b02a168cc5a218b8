import joblib
import pandas as pd
from sklearn.metrics import accuracy_score

scaler = joblib.load("scaler.joblib")
model = joblib.load("model.joblib")
holdout = pd.read_csv("holdout_2024.csv")
X = scaler.transform(holdout.drop(columns="label"))
print("accuracy on the 2024 holdout:", accuracy_score(holdout["label"], model.predict(X)))
