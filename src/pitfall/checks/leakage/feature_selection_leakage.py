"""PF207 feature-selection-leakage (found by ``pitfall lint``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pitfall.checks.base import Check, Requires, Skip
from pitfall.findings import Finding, Severity

if TYPE_CHECKING:
    from pitfall.checks.context import Context


class FeatureSelectionLeakage(Check):
    """Features were chosen on rows that include the rows that later judge the model.

    ## What it finds
    Code (a script or a notebook) that selects features on data that is afterwards split into
    train and test, or on the data a cross-validation then scores: `SelectKBest`,
    `SelectPercentile`, `RFE`/`RFECV`, `VarianceThreshold`, `SelectFromModel`,
    `SequentialFeatureSelector`, scores such as `mutual_info_classif` or `f_classif`, a model's
    `feature_importances_` or `coef_` used to keep columns, and filtering columns by their
    correlation with the label (`df.corr()["label"]`, `df.corrwith(y)`). `pitfall lint` follows
    the columns chosen to the model that is scored and reports the line where the selection
    was fitted, with the line of the score.

    Selection inside a `Pipeline` that cross-validation or a search refits in each fold is not
    reported, and neither is selection fitted on the training rows only. It is an `error` when
    the selection saw the rows of the reported test score (or of a cross-validation on all the
    data), a `warning` when it saw only the folds of a cross-validation within the training rows.

    ## Why it matters
    Choosing, among many features, those most associated with the label on all rows finds
    features that are associated *by chance* in the test rows too. On pure noise with thousands
    of features, selection before cross-validation reports accuracies far above chance (the
    textbook case of Hastie, Tibshirani and Friedman, *Elements of Statistical Learning*,
    section 7.10.2), and published genomics and neuroimaging results have relied on it.

    ## How to fix
    Split first. Put the selector in the model, `make_pipeline(SelectKBest(k=20), model)`, so
    that `cross_val_score` or `GridSearchCV` refits it on each training fold, and fit it on
    `X_train` only before scoring on `X_test`.

    ## Example
    ```python
    X_new = SelectKBest(f_classif, k=10).fit_transform(X, y)   # all rows: PF207
    X_train, X_test, y_train, y_test = train_test_split(X_new, y, random_state=0)
    ```

    ## Options
    This check has no options.
    """

    code = "PF207"
    name = "feature-selection-leakage"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(lint=True)
    since = "0.2.0"

    def run(self, ctx: Context) -> Iterator[Finding]:
        raise Skip("found by `pitfall lint`, which reads the code that selected the features")
