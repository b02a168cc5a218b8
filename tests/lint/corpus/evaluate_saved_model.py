import json
import joblib
import pandas as pd
from sklearn.metrics import classification_report

model = joblib.load("artifacts/model.joblib")
test = pd.read_parquet("data/test.parquet")
pred = model.predict(test.drop(columns="label"))
report = classification_report(test["label"], pred, output_dict=True)
json.dump(report, open("artifacts/test_report.json", "w"), indent=2)
