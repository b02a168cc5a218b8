import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

diabetes = pd.read_csv("diabetes.csv")
X = diabetes.drop("Outcome", axis=1).values
y = diabetes["Outcome"].values

X_trainval, X_test, y_trainval, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
X_train, X_val, y_train, y_val = train_test_split(X_trainval, y_trainval, test_size=0.25, random_state=42)

scaler = StandardScaler().fit(X_train)
best_k, best_acc = None, -1.0
for k in range(1, 30, 2):
    knn = KNeighborsClassifier(n_neighbors=k).fit(scaler.transform(X_train), y_train)
    acc = knn.score(scaler.transform(X_val), y_val)
    if acc > best_acc:
        best_k, best_acc = k, acc

scaler = StandardScaler().fit(X_trainval)
final = KNeighborsClassifier(n_neighbors=best_k).fit(scaler.transform(X_trainval), y_trainval)
print("k =", best_k, "test accuracy =", final.score(scaler.transform(X_test), y_test))
