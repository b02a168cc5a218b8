from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import cross_val_predict, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, roc_auc_score

X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=1000))
proba = cross_val_predict(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba")
print(roc_auc_score(y, proba[:, 1]))
print(confusion_matrix(y, proba.argmax(axis=1)))
