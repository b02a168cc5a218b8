import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import validation_curve, train_test_split
from sklearn.svm import SVC

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
gammas = np.logspace(-6, -1, 6)
train_sc, val_sc = validation_curve(SVC(), X_train, y_train, param_name="gamma", param_range=gammas, cv=5)
best_gamma = gammas[np.argmax(val_sc.mean(axis=1))]
plt.semilogx(gammas, val_sc.mean(axis=1))
clf = SVC(gamma=best_gamma).fit(X_train, y_train)
print("gamma", best_gamma, "test accuracy", clf.score(X_test, y_test))
