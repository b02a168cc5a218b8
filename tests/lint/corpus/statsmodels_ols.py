import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.model_selection import train_test_split

df = pd.read_csv("advertising.csv")
train, test = train_test_split(df, test_size=0.25, random_state=1)
X_train = sm.add_constant(train[["TV", "radio", "newspaper"]])
ols = sm.OLS(train["sales"], X_train).fit()
print(ols.summary())
pred = ols.predict(sm.add_constant(test[["TV", "radio", "newspaper"]]))
print("test RMSE", np.sqrt(np.mean((pred - test["sales"]) ** 2)))
