import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.metrics import f1_score

reviews = pd.read_csv("reviews.csv").dropna(subset=["text"])
reviews["label"] = (reviews["stars"] >= 4).astype(int)

train_df, test_df = train_test_split(reviews, test_size=0.2, random_state=2021, stratify=reviews["label"])
vec = TfidfVectorizer(ngram_range=(1, 2), min_df=3)
Xtr = vec.fit_transform(train_df["text"])
Xte = vec.transform(test_df["text"])

lr = LogisticRegression(max_iter=1000, C=4).fit(Xtr, train_df["label"])
print("F1:", f1_score(test_df["label"], lr.predict(Xte)))
