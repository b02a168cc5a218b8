import numpy as np
from sklearn.feature_selection import SelectPercentile, chi2
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import MultinomialNB

counts = np.load("word_counts.npy")
topics = np.load("topics.npy")

sel = SelectPercentile(chi2, percentile=5).fit(counts, topics)
counts_small = counts[:, sel.get_support()]

Xtr, Xte, ytr, yte = train_test_split(counts_small, topics, random_state=0, stratify=topics)
nb = MultinomialNB(alpha=0.1).fit(Xtr, ytr)
print("accuracy", nb.score(Xte, yte))
