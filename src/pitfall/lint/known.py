"""What ``pitfall lint`` knows about the libraries people use: which names load data, split it,
learn statistics from it, select features, oversample, fit models and score them.

Names are matched by the module they are imported from (``sklearn.preprocessing.StandardScaler``),
never by the bare name, so a user's own ``StandardScaler`` class is unknown code and produces no
finding.
"""

from __future__ import annotations

__all__ = ["category", "function_kind"]

# Estimators that learn statistics from the rows they are fitted on (PF206).
PREPROCESS = {
    "StandardScaler",
    "MinMaxScaler",
    "RobustScaler",
    "MaxAbsScaler",
    "QuantileTransformer",
    "PowerTransformer",
    "KBinsDiscretizer",
    "SimpleImputer",
    "KNNImputer",
    "IterativeImputer",
    "OneHotEncoder",
    "OrdinalEncoder",
    "TargetEncoder",
    "PCA",
    "IncrementalPCA",
    "KernelPCA",
    "TruncatedSVD",
    "NMF",
    "FactorAnalysis",
    "FastICA",
    "SparsePCA",
    "LatentDirichletAllocation",
    "TfidfVectorizer",
    "CountVectorizer",
    "TfidfTransformer",
    "DictVectorizer",
    "SplineTransformer",
    "Tokenizer",
    "TextVectorization",
    "Normalization",
    "MissingIndicator",
}
# Estimators that choose features (PF207).
SELECT = {
    "SelectKBest",
    "SelectPercentile",
    "SelectFpr",
    "SelectFdr",
    "SelectFwe",
    "GenericUnivariateSelect",
    "RFE",
    "RFECV",
    "VarianceThreshold",
    "SelectFromModel",
    "SequentialFeatureSelector",
    "BorutaPy",
}
# Composites: their own fit refits what they hold.
COMPOSITE = {"Pipeline", "ColumnTransformer", "FeatureUnion", "TransformedTargetRegressor"}
SEARCH = {"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV", "BayesSearchCV"}
SPLITTERS = {
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "TimeSeriesSplit",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "LeaveOneOut",
    "LeavePOut",
    "StratifiedGroupKFold",
    "LeaveOneGroupOut",
    "LeavePGroupsOut",
    "PredefinedSplit",
}
GROUP_AWARE = {"GroupKFold", "GroupShuffleSplit", "StratifiedGroupKFold", "LeaveOneGroupOut", "LeavePGroupsOut"}
TIME_AWARE = {"TimeSeriesSplit", "PredefinedSplit"}
# Stateless transformers: fitting them learns nothing from rows.
STATELESS = {
    "Normalizer",
    "FunctionTransformer",
    "Binarizer",
    "PolynomialFeatures",
    "HashingVectorizer",
    "LabelEncoder",
    "LabelBinarizer",
    "MultiLabelBinarizer",
}
MODEL_MODULES = (
    "sklearn.linear_model",
    "sklearn.ensemble",
    "sklearn.tree",
    "sklearn.svm",
    "sklearn.neighbors",
    "sklearn.naive_bayes",
    "sklearn.neural_network",
    "sklearn.discriminant_analysis",
    "sklearn.gaussian_process",
    "sklearn.kernel_ridge",
    "sklearn.dummy",
    "sklearn.calibration",
    "sklearn.multiclass",
    "sklearn.multioutput",
    "sklearn.semi_supervised",
    "sklearn.isotonic",
    "xgboost",
    "lightgbm",
    "catboost",
)
KERAS_MODELS = {"Sequential", "Model"}
# Estimators whose result depends on a seed they were not given (PF702); xgboost, lightgbm and
# catboost seed themselves by default.
RANDOM_MODELS = {
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "MLPClassifier",
    "MLPRegressor",
    "SGDClassifier",
    "SGDRegressor",
    "BaggingClassifier",
    "BaggingRegressor",
    "IsolationForest",
    "Perceptron",
    "RandomizedSearchCV",
}

# Resamplers that create rows (PF209), from imbalanced-learn.
OVERSAMPLE_MODULES = ("imblearn.over_sampling", "imblearn.combine")
UNDERSAMPLE_MODULES = ("imblearn.under_sampling",)
AUGMENT = {"ImageDataGenerator"}

SCORE_FUNCTIONS = {
    "accuracy_score",
    "balanced_accuracy_score",
    "f1_score",
    "precision_score",
    "recall_score",
    "roc_auc_score",
    "average_precision_score",
    "log_loss",
    "mean_squared_error",
    "mean_absolute_error",
    "r2_score",
    "root_mean_squared_error",
    "mean_absolute_percentage_error",
    "matthews_corrcoef",
    "cohen_kappa_score",
    "fbeta_score",
    "jaccard_score",
    "hamming_loss",
    "brier_score_loss",
    "explained_variance_score",
    "median_absolute_error",
    "top_k_accuracy_score",
    "mean_squared_log_error",
    "classification_report",
    "confusion_matrix",
    "precision_recall_fscore_support",
    "roc_curve",
    "precision_recall_curve",
    "det_curve",
    "max_error",
    "d2_absolute_error_score",
}
CV_FUNCTIONS = {
    "cross_val_score",
    "cross_validate",
    "cross_val_predict",
    "learning_curve",
    "validation_curve",
    "permutation_test_score",
}
LABEL_STATISTICS = {
    "mutual_info_classif",
    "mutual_info_regression",
    "f_classif",
    "f_regression",
    "chi2",
    "r_regression",
    "pearsonr",
    "spearmanr",
    "pointbiserialr",
}

DATA_PACKAGES = (
    "pandas",
    "numpy",
    "polars",
    "scipy",
    "math",
    "statistics",
    "torch",
    "tensorflow",
    "cv2",
    "PIL",
    "sklearn.utils",
    "sklearn.datasets",
    "seaborn",
    "datasets",
)


def top(qual: str) -> str:
    return qual.split(".", 1)[0]


def category(qual: str) -> str | None:
    """The role of a class imported as ``qual`` (``module.Class``), or None when unknown.

    One of ``preprocess``, ``select``, ``composite``, ``search``, ``splitter``, ``oversample``,
    ``undersample``, ``augment``, ``model``, ``stateless``.
    """
    module, _, name = qual.rpartition(".")
    pkg = top(qual)
    if pkg == "imblearn":
        if name == "Pipeline" or name == "make_pipeline":
            return "composite"
        if module.startswith(OVERSAMPLE_MODULES):
            return "oversample"
        if module.startswith(UNDERSAMPLE_MODULES):
            return "undersample"
        return None
    if pkg == "category_encoders":
        return "preprocess"
    if pkg == "boruta" and name == "BorutaPy":
        return "select"
    if pkg in ("keras", "tensorflow", "tf_keras"):
        if name in KERAS_MODELS:
            return "model"
        if name in ("Tokenizer", "TextVectorization", "Normalization"):
            return "preprocess"
        if name in AUGMENT:
            return "augment"
        return None
    if pkg in ("xgboost", "lightgbm", "catboost"):
        return (
            "model"
            if name[:1].isupper()
            and ("Classifier" in name or "Regressor" in name or "Ranker" in name or name == "CatBoost")
            else None
        )
    if pkg != "sklearn":
        return None
    if name in STATELESS:
        return "stateless"
    if name in PREPROCESS:
        return "preprocess"
    if name in SELECT:
        return "select"
    if name in COMPOSITE:
        return "composite"
    if name in SEARCH:
        return "search"
    if name in SPLITTERS:
        return "splitter"
    if module.startswith(MODEL_MODULES) and name[:1].isupper():
        return "model"
    if module.startswith("sklearn.cluster") and name[:1].isupper():
        return "model"
    return None


def function_kind(qual: str) -> str | None:
    """The role of a function imported as ``qual``, or None when unknown."""
    module, _, name = qual.rpartition(".")
    pkg = top(qual)
    if name == "train_test_split" and pkg == "sklearn":
        return "split"
    if name in SCORE_FUNCTIONS and pkg == "sklearn":
        return "metric"
    if name in CV_FUNCTIONS and pkg == "sklearn":
        return "cv"
    if name in LABEL_STATISTICS and pkg in ("sklearn", "scipy"):
        return "label_stat"
    if name in (
        "scale",
        "minmax_scale",
        "robust_scale",
        "maxabs_scale",
        "quantile_transform",
        "power_transform",
    ) and module.startswith("sklearn.preprocessing"):
        return "preprocess_fn"
    if name in ("make_pipeline", "make_column_transformer", "make_union") and pkg in ("sklearn", "imblearn"):
        return "composite"
    if name == "resample" and module.startswith("sklearn.utils"):
        return "resample"
    if name == "shuffle" and module.startswith("sklearn.utils"):
        return "propagate"
    if pkg == "pandas" and (name.startswith("read_") or name in ("DataFrame", "Series")):
        return "source" if name.startswith("read_") else "frame"
    if pkg == "pandas" and name in ("concat",):
        return "concat"
    if pkg == "pandas" and name == "merge":
        return "merge"
    if pkg == "numpy" and name in ("concatenate", "vstack", "r_", "row_stack", "append"):
        return "concat"
    if pkg == "numpy" and (name in ("load", "loadtxt", "genfromtxt", "fromfile", "memmap")):
        return "source"
    if pkg == "numpy" and name == "seed" and "random" in module:
        return "global_seed"
    if pkg in ("numpy",) and name in (
        "argmax",
        "argmin",
        "argsort",
        "nanargmax",
        "nanargmin",
        "max",
        "min",
        "amax",
        "amin",
        "sort",
    ):
        return "select_fn"
    if pkg == "sklearn" and module.startswith("sklearn.datasets"):
        return "source"
    if pkg == "seaborn" and name == "load_dataset":
        return "source"
    if pkg in ("keras", "tensorflow") and name == "load_data":
        return "given_split"
    if pkg in ("torch", "tensorflow", "random", "keras") and name in (
        "manual_seed",
        "set_seed",
        "seed",
        "set_random_seed",
    ):
        return "global_seed"
    if pkg in ("joblib", "pickle") and name == "load":
        return "opaque"
    if pkg in ("lightgbm", "xgboost") and name in ("train", "cv"):
        return "booster_train" if name == "train" else "cv"
    if pkg in DATA_PACKAGES or (pkg == "sklearn" and module.startswith(("sklearn.utils", "sklearn.datasets"))):
        return "propagate"
    return None
