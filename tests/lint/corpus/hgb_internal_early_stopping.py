import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.metrics import log_loss

df = pd.read_parquet("clicks.parquet")
X, y = df.drop(columns="click"), df["click"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
hgb = HistGradientBoostingClassifier(early_stopping=True, validation_fraction=0.1, n_iter_no_change=20,
                                     random_state=0)
hgb.fit(X_train, y_train)
print("test log loss", log_loss(y_test, hgb.predict_proba(X_test)))
