import pandas as pd
from sklearn.preprocessing import LabelEncoder
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier
from sklearn.metrics import accuracy_score

mush = pd.read_csv("mushrooms.csv")
le = LabelEncoder()
for col in mush.columns:
    mush[col] = le.fit_transform(mush[col])

X = mush.drop("class", axis=1)
y = mush["class"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=17)
tree = DecisionTreeClassifier(random_state=17).fit(X_train, y_train)
print(accuracy_score(y_test, tree.predict(X_test)))
