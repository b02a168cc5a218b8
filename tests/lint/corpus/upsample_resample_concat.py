import pandas as pd
from sklearn.utils import resample
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier
from sklearn.metrics import f1_score

df = pd.read_csv("employee_attrition.csv")
majority = df[df.Attrition == 0]
minority = df[df.Attrition == 1]

minority_up = resample(minority, replace=True, n_samples=len(majority), random_state=123)
balanced = pd.concat([majority, minority_up])
print(balanced.Attrition.value_counts())

X = balanced.drop("Attrition", axis=1)
y = balanced.Attrition
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=123)
tree = DecisionTreeClassifier(max_depth=8, random_state=123).fit(X_train, y_train)
print("F1:", f1_score(y_test, tree.predict(X_test)))
