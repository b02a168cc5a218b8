import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.metrics import f1_score

reviews = pd.read_csv("reviews.csv")
reviews = reviews.dropna(subset=["text"])
reviews["label"] = (reviews["stars"] >= 4).astype(int)

vec = TfidfVectorizer(ngram_range=(1, 2), min_df=3, sublinear_tf=True)
features = vec.fit_transform(reviews["text"])

x_train, x_test, y_train, y_test = train_test_split(
    features, reviews["label"], test_size=0.2, random_state=2021
)
lr = LogisticRegression(max_iter=1000, C=4)
lr.fit(x_train, y_train)
print("F1 on held-out reviews:", f1_score(y_test, lr.predict(x_test)))
