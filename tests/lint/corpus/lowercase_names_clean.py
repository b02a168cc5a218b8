import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import RobustScaler
from sklearn.linear_model import ElasticNet
from sklearn.metrics import r2_score

df = pd.read_csv("boston.csv")
train_x, test_x, train_y, test_y = train_test_split(df.drop("medv", axis=1), df["medv"], random_state=0)
rs = RobustScaler()
train_x = rs.fit_transform(train_x)
test_x = rs.transform(test_x)
enet = ElasticNet(alpha=0.01, l1_ratio=0.5).fit(train_x, train_y)
print(r2_score(test_y, enet.predict(test_x)))
