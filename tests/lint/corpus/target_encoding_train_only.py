import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ads = pd.read_csv("ad_clicks.csv")
train, test = train_test_split(ads, test_size=0.2, random_state=0, stratify=ads["clicked"])

site_rate = train.groupby("site_category")["clicked"].mean()
global_rate = train["clicked"].mean()
for part in (train, test):
    part["site_rate"] = part["site_category"].map(site_rate).fillna(global_rate)

cols = ["site_rate", "hour", "banner_pos"]
clf = LogisticRegression(max_iter=1000).fit(train[cols], train["clicked"])
print(roc_auc_score(test["clicked"], clf.predict_proba(test[cols])[:, 1]))
