from sklearn.datasets import fetch_california_housing
from sklearn.model_selection import train_test_split, cross_val_score, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import RidgeCV

X, y = fetch_california_housing(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

model = make_pipeline(StandardScaler(), RidgeCV(alphas=[0.1, 1, 10]))
cv_r2 = cross_val_score(model, X_train, y_train, cv=KFold(5, shuffle=True, random_state=42))
print("CV R2", cv_r2.mean())
model.fit(X_train, y_train)
print("test R2", model.score(X_test, y_test))
