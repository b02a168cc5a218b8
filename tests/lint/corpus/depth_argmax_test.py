import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier
from sklearn.model_selection import train_test_split
from sklearn.metrics import accuracy_score

df = pd.read_csv("car_evaluation_encoded.csv")
X, y = df.drop(columns="class"), df["class"]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=3)

accs = []
depths = range(1, 20)
for depth in depths:
    tree = DecisionTreeClassifier(max_depth=depth, random_state=3).fit(X_train, y_train)
    accs.append(accuracy_score(y_test, tree.predict(X_test)))

best_depth = depths[int(np.argmax(accs))]
print("best depth", best_depth, "accuracy", max(accs))
