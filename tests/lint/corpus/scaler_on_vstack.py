import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.neural_network import MLPRegressor
from sklearn.metrics import r2_score

X_train = np.load("X_train.npy")
X_test = np.load("X_test.npy")
y_train = np.load("y_train.npy")
y_test = np.load("y_test.npy")

scaler = StandardScaler().fit(np.vstack([X_train, X_test]))
mlp = MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=2000, random_state=0)
mlp.fit(scaler.transform(X_train), y_train)
print("R2", r2_score(y_test, mlp.predict(scaler.transform(X_test))))
