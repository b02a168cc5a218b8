"""Tiny CNN on leaf images; flips double the data."""
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression

images = np.load("leaves_64.npy")          # (n, 64, 64)
labels = np.load("leaves_labels.npy")

flipped = np.flip(images, axis=2)
rotated = np.rot90(images, k=1, axes=(1, 2))
images_aug = np.concatenate([images, flipped, rotated])
labels_aug = np.concatenate([labels, labels, labels])

X = images_aug.reshape(len(images_aug), -1) / 255.0
X_train, X_test, y_train, y_test = train_test_split(X, labels_aug, test_size=0.2, random_state=1)
clf = LogisticRegression(max_iter=200).fit(X_train, y_train)
print("accuracy", clf.score(X_test, y_test))
