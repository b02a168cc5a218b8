import numpy as np
import pandas as pd
from sklearn.feature_selection import VarianceThreshold
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB

spectra = np.load("spectra.npy")
classes = np.load("classes.npy")

vt = VarianceThreshold(threshold=0.01)
spectra = vt.fit_transform(spectra)

a, b, c, d = train_test_split(spectra, classes, test_size=0.25, random_state=5)
nb = GaussianNB().fit(a, c)
print("test accuracy:", nb.score(b, d))
