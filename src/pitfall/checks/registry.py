"""The code table: every check pitfall knows, by its stable code.

Codes are never reused or renumbered; a renamed code goes into ``REDIRECTS``. The table names each
check as ``"module:Class"`` and imports a check only when it is used, so ``pitfall checks`` and
``pitfall explain`` answer without loading numpy, pandas or scikit-learn (``SPECS`` reads each
check's identity and docs from its source; see ``catalog``). Adding a check: its file, and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, TypeVar

from pitfall.checks.catalog import CheckSpec, spec

if TYPE_CHECKING:
    from pitfall.checks.base import Check

T = TypeVar("T")

__all__ = ["CHECKS", "FAMILIES", "REDIRECTS", "SPECS", "get_check", "get_spec"]

FAMILIES = {
    "PF1": "integrity",
    "PF2": "leakage",
    "PF3": "shortcuts",
    "PF4": "evaluation",
    "PF5": "drift",
    "PF6": "deployment",
    "PF7": "reproducibility",
}

_TABLE: dict[str, str] = {
    "PF101": "pitfall.checks.integrity.duplicate_rows:DuplicateRows",
    "PF102": "pitfall.checks.integrity.conflicting_labels:ConflictingLabels",
    "PF103": "pitfall.checks.integrity.constant_columns:ConstantColumn",
    "PF104": "pitfall.checks.integrity.id_like:IdLikeColumn",
    "PF105": "pitfall.checks.integrity.mixed_types:MixedTypes",
    "PF106": "pitfall.checks.integrity.label_errors:LabelErrors",
    "PF107": "pitfall.checks.integrity.unreadable_files:UnreadableFile",
    "PF201": "pitfall.checks.leakage.train_test_duplicates:TrainTestDuplicates",
    "PF202": "pitfall.checks.leakage.near_duplicates:NearDuplicates",
    "PF203": "pitfall.checks.leakage.group_leakage:GroupLeakage",
    "PF204": "pitfall.checks.leakage.temporal_leakage:TemporalLeakage",
    "PF205": "pitfall.checks.leakage.target_leakage:TargetLeakage",
    "PF206": "pitfall.checks.leakage.preprocessing_leakage:PreprocessingFittedOnTest",
    "PF207": "pitfall.checks.leakage.feature_selection_leakage:FeatureSelectionLeakage",
    "PF208": "pitfall.checks.leakage.test_set_training:TestSetUsedForTraining",
    "PF209": "pitfall.checks.leakage.oversampling_before_split:OversamplingBeforeSplit",
    "PF301": "pitfall.checks.shortcuts.trivial_statistics:TrivialStatisticShortcut",
    "PF302": "pitfall.checks.shortcuts.study_variable:BeggingTheQuestion",
    "PF303": "pitfall.checks.shortcuts.subgroup_gap:SubgroupGap",
    "PF401": "pitfall.checks.evaluation.baselines:WeakerThanBaseline",
    "PF402": "pitfall.checks.evaluation.imbalance:MisleadingMetric",
    "PF403": "pitfall.checks.evaluation.test_size:SmallTestSet",
    "PF404": "pitfall.checks.evaluation.underspecification:UnderspecifiedModel",
    "PF405": "pitfall.checks.evaluation.calibration:Miscalibrated",
    "PF406": "pitfall.checks.evaluation.robustness:FragileToPerturbation",
    "PF407": "pitfall.checks.evaluation.unseen_class:ClassUnseenInTraining",
    "PF501": "pitfall.checks.drift.feature_drift:FeatureDrift",
    "PF502": "pitfall.checks.drift.multivariate_drift:MultivariateDrift",
    "PF503": "pitfall.checks.drift.label_drift:LabelDrift",
    "PF504": "pitfall.checks.drift.prediction_drift:PredictionDrift",
    "PF505": "pitfall.checks.drift.performance_drift:EstimatedPerformanceDrop",
    "PF602": "pitfall.checks.deployment.review_load:ReviewQueueOverload",
    "PF603": "pitfall.checks.deployment.audit_accuracy:AuditAccuracyBelowTarget",
    "PF701": "pitfall.checks.reproducibility.result_not_reproduced:ResultNotReproduced",
    "PF702": "pitfall.checks.reproducibility.unrecorded_input:UnrecordedRunInput",
}

REDIRECTS: dict[str, str] = {}


class _ByCode(Mapping[str, T]):
    """``{code: load(code)}`` over the code table, each value made on access (nothing is loaded up front)."""

    def __init__(self, load: Callable[[str], T]) -> None:
        self._load = load

    def __getitem__(self, code: str) -> T:
        return self._load(code)

    def __contains__(self, code: object) -> bool:  # no load to answer "is it registered?"
        return code in _TABLE

    def __iter__(self) -> Iterator[str]:
        return iter(_TABLE)

    def __len__(self) -> int:
        return len(_TABLE)


def _import_check(code: str) -> type[Check]:
    module, name = _TABLE[code].split(":")
    return getattr(import_module(module), name)


CHECKS: Mapping[str, type[Check]] = _ByCode(_import_check)  # the class, its module imported on access
SPECS: Mapping[str, CheckSpec] = _ByCode(lambda code: spec(code, _TABLE[code]))  # read without importing


def get_check(code: str) -> type[Check]:
    """The check class of ``code`` (case-insensitive, following ``REDIRECTS``); ``KeyError`` when unknown."""
    code = REDIRECTS.get(code.upper(), code.upper())
    try:
        return CHECKS[code]
    except KeyError:
        raise KeyError(code) from None


def get_spec(code: str) -> CheckSpec:
    """Like ``get_check``, but the spec: no import of the check's module."""
    code = REDIRECTS.get(code.upper(), code.upper())
    try:
        return SPECS[code]
    except KeyError:
        raise KeyError(code) from None
