"""PF209 oversampling-before-split (found by ``pitfall lint``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pitfall.checks.base import Check, Requires, Skip
from pitfall.findings import Finding, Severity

if TYPE_CHECKING:
    from pitfall.checks.context import Context


class OversamplingBeforeSplit(Check):
    """Rows were oversampled or augmented before the split, so copies reach the test rows.

    ## What it finds
    Code that creates rows and then splits them, or scores on them: imbalanced-learn's
    oversamplers (`SMOTE`, `ADASYN`, `RandomOverSampler`, `BorderlineSMOTE`, `SVMSMOTE`,
    `SMOTENC`, `SMOTETomek`, `SMOTEENN`) and `fit_resample`, `sklearn.utils.resample(...,
    replace=True)`, `df.sample(replace=True)` or `frac > 1`, Keras' `ImageDataGenerator.flow`,
    and concatenating rows with a copy or transformation of themselves (`pd.concat([df,
    df[df.y == 1]])`, `np.concatenate([X, np.flip(X, 2)])`), before `train_test_split` or a
    cross-validation, or applied to the test set itself. `pitfall lint` reports the line that
    created the rows, with the line of the score.

    It is an `error` when the created rows reach the reported test score (or a cross-validation
    on all the data), a `warning` when they reach only the folds of a cross-validation within the
    training rows. Oversampling the training rows after the split, or inside an
    imbalanced-learn `Pipeline` that cross-validation refits, is not reported.

    ## Why it matters
    SMOTE interpolates between neighbours and random oversampling repeats rows. After the
    split, a test row is then a near copy of a training row, and the model is scored on what it
    memorised: reported sensitivities on imbalanced medical data sets rise by tens of points.
    Scores on oversampled test rows also describe a class balance that does not exist.

    ## How to fix
    Split first; oversample only `X_train, y_train`; score on the untouched test rows. With
    cross-validation use `imblearn.pipeline.make_pipeline(SMOTE(), model)` so that each
    training fold is oversampled on its own.

    ## Example
    ```python
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)      # PF209
    X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, random_state=0)
    ```

    ## Options
    This check has no options.
    """

    code = "PF209"
    name = "oversampling-before-split"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(lint=True)
    since = "0.2.0"

    def run(self, ctx: Context) -> Iterator[Finding]:
        raise Skip("found by `pitfall lint`, which reads the code that created the rows")
