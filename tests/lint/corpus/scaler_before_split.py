"""Breast cancer classification with an SVM."""
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.metrics import classification_report

data = load_breast_cancer()
X, y = data.data, data.target

scaler = StandardScaler()
X_scaled = scaler.fit_transform(X)

X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, test_size=0.25, random_state=7, stratify=y)

clf = SVC(kernel="rbf", C=3.0, gamma="scale")
clf.fit(X_train, y_train)
print(classification_report(y_test, clf.predict(X_test)))
