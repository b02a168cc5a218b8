import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier

df = pd.read_csv("titanic.csv")
df["name_len"] = df["Name"].apply(len)
df["title"] = df["Name"].str.extract(r",\s*([^\.]+)\.")
df["is_mr"] = (df["title"] == "Mr").astype(int)
df["cabin_known"] = df["Cabin"].notna().astype(int)
cols = ["Pclass", "name_len", "is_mr", "cabin_known", "SibSp"]
X_train, X_test, y_train, y_test = train_test_split(df[cols], df["Survived"], random_state=0)
print(RandomForestClassifier(random_state=0).fit(X_train, y_train).score(X_test, y_test))
