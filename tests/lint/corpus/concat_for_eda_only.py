import pandas as pd
import matplotlib.pyplot as plt
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score

train = pd.read_csv("train.csv")
test = pd.read_csv("test_labelled.csv")

both = pd.concat([train.assign(part="train"), test.assign(part="test")])
both.boxplot(column="income", by="part")
plt.savefig("income_by_part.png")

features = ["age", "income", "visits"]
scaler = StandardScaler().fit(train[features])
rf = RandomForestClassifier(random_state=0).fit(scaler.transform(train[features]), train["bought"])
print(accuracy_score(test["bought"], rf.predict(scaler.transform(test[features]))))
