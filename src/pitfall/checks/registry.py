"""The code table: every check pitfall knows, by its stable code.

Codes are never reused or renumbered; a renamed code goes into ``REDIRECTS``.
"""

from __future__ import annotations

from pitfall.checks.base import Check
from pitfall.checks.deploy.audit_accuracy import AuditAccuracyBelowTarget
from pitfall.checks.deploy.review_load import ReviewQueueOverload
from pitfall.checks.drift.feature_drift import FeatureDrift
from pitfall.checks.drift.label_drift import LabelDrift
from pitfall.checks.drift.multivariate_drift import MultivariateDrift
from pitfall.checks.drift.performance_drift import EstimatedPerformanceDrop
from pitfall.checks.drift.prediction_drift import PredictionDrift
from pitfall.checks.evaluation.baselines import WeakerThanBaseline
from pitfall.checks.evaluation.calibration import Miscalibrated
from pitfall.checks.evaluation.imbalance import MisleadingMetric
from pitfall.checks.evaluation.robustness import FragileToPerturbation
from pitfall.checks.evaluation.test_size import SmallTestSet
from pitfall.checks.evaluation.underspecification import UnderspecifiedModel
from pitfall.checks.evaluation.unseen_class import ClassUnseenInTraining
from pitfall.checks.integrity.conflicting_labels import ConflictingLabels
from pitfall.checks.integrity.constant_columns import ConstantColumn
from pitfall.checks.integrity.duplicate_rows import DuplicateRows
from pitfall.checks.integrity.id_like import IdLikeColumn
from pitfall.checks.integrity.label_errors import LabelErrors
from pitfall.checks.integrity.mixed_types import MixedTypes
from pitfall.checks.integrity.unreadable_files import UnreadableFile
from pitfall.checks.leakage.group_leakage import GroupLeakage
from pitfall.checks.leakage.near_duplicates import NearDuplicates
from pitfall.checks.leakage.preprocessing_leakage import PreprocessingFittedOnTest
from pitfall.checks.leakage.target_leakage import TargetLeakage
from pitfall.checks.leakage.temporal_leakage import TemporalLeakage
from pitfall.checks.leakage.test_set_training import TestSetUsedForTraining
from pitfall.checks.leakage.train_test_duplicates import TrainTestDuplicates
from pitfall.checks.shortcuts.study_variable import BeggingTheQuestion
from pitfall.checks.shortcuts.subgroup_gap import SubgroupGap
from pitfall.checks.shortcuts.trivial_statistics import TrivialStatisticShortcut

__all__ = ["CHECKS", "FAMILIES", "REDIRECTS", "get_check"]

FAMILIES = {
    "PF1": "integrity",
    "PF2": "leakage",
    "PF3": "shortcuts",
    "PF4": "evaluation",
    "PF5": "drift",
    "PF6": "deployment",
    "PF7": "reproducibility",
}

CHECKS: dict[str, type[Check]] = {
    "PF101": DuplicateRows,
    "PF102": ConflictingLabels,
    "PF103": ConstantColumn,
    "PF104": IdLikeColumn,
    "PF105": MixedTypes,
    "PF106": LabelErrors,
    "PF107": UnreadableFile,
    "PF201": TrainTestDuplicates,
    "PF202": NearDuplicates,
    "PF203": GroupLeakage,
    "PF204": TemporalLeakage,
    "PF205": TargetLeakage,
    "PF206": PreprocessingFittedOnTest,
    "PF208": TestSetUsedForTraining,
    "PF301": TrivialStatisticShortcut,
    "PF302": BeggingTheQuestion,
    "PF303": SubgroupGap,
    "PF401": WeakerThanBaseline,
    "PF402": MisleadingMetric,
    "PF403": SmallTestSet,
    "PF404": UnderspecifiedModel,
    "PF405": Miscalibrated,
    "PF406": FragileToPerturbation,
    "PF407": ClassUnseenInTraining,
    "PF501": FeatureDrift,
    "PF502": MultivariateDrift,
    "PF503": LabelDrift,
    "PF504": PredictionDrift,
    "PF505": EstimatedPerformanceDrop,
    "PF602": ReviewQueueOverload,
    "PF603": AuditAccuracyBelowTarget,
}

REDIRECTS: dict[str, str] = {}


def get_check(code: str) -> type[Check]:
    code = REDIRECTS.get(code.upper(), code.upper())
    try:
        return CHECKS[code]
    except KeyError:
        raise KeyError(code) from None
