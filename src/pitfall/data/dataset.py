"""Column roles, task type and the train/test ``Split`` that every check reads."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from pitfall.errors import InputError

__all__ = ["Roles", "Split", "Task", "infer_task", "validate_split"]

Task = Literal["binary", "multiclass", "regression"]


@dataclass(frozen=True)
class Roles:
    """Which columns play which part. Only ``target`` is required.

    Attributes:
        target: The label column.
        group: Column identifying the object a row belongs to (a galaxy, a patient).
        time: Column with the time a row was observed.
        id: Row identifier; never used as a feature.
        study: Features the study is about (``--study colour``): PF302 measures how much the
            model leans on them and whether it exaggerates their link to the label.
        sensitive: Columns whose groups must be served equally well (``--sensitive sex``):
            PF303 always slices by them. They stay features if they are in the data.
        text: Columns of free text (``--text description``): the default model reads them through
            TF-IDF, and the text checks (near-duplicate records, text statistics, rule baselines)
            look inside them. They stay features.
        image: Columns of image file paths (``--image path``), relative to ``Split.root`` unless
            absolute: the default model reads the pixels, and the image checks look at them.
    """

    target: str
    group: str | None = None
    time: str | None = None
    id: str | None = None
    study: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    image: tuple[str, ...] = ()

    def named(self) -> list[tuple[str, str]]:
        """Every (role, column) pair the user named, for validation."""
        pairs = [("target", self.target), ("group", self.group), ("time", self.time), ("id", self.id)]
        pairs += [("study", c) for c in self.study] + [("sensitive", c) for c in self.sensitive]
        pairs += [("text", c) for c in self.text] + [("image", c) for c in self.image]
        return [(r, c) for r, c in pairs if c]

    def non_features(self) -> set[str]:
        return {c for c in (self.target, self.group, self.time, self.id) if c}

    @property
    def modality(self) -> dict[str, str]:
        """``{column: "text" | "image"}`` for the columns that hold content rather than values."""
        return {**{c: "text" for c in self.text}, **{c: "image" for c in self.image}}


@dataclass
class Split:
    """A train set and a test set with their column roles.

    Attributes:
        train: Rows the model learns from.
        test: Held-out rows the model is judged on.
        roles: The role of each special column.
        task: ``binary``, ``multiclass`` or ``regression``.
        features: Columns used as model inputs.
        sources: Where train and test came from (file names or ``"DataFrame"``).
        split_method: ``given`` when the user supplied both parts, else how pitfall split.
        seed: The seed used for any randomness.
        root: Folder that relative image paths are relative to (the data file's folder; the
            working directory for DataFrames).
    """

    train: pd.DataFrame
    test: pd.DataFrame
    roles: Roles
    task: Task
    features: list[str]
    sources: dict[str, str] = field(default_factory=dict)
    split_method: str = "given"
    seed: int = 0
    root: str | None = None

    @property
    def target(self) -> str:
        return self.roles.target

    @property
    def y_train(self) -> pd.Series:
        return self.train[self.roles.target]

    @property
    def y_test(self) -> pd.Series:
        return self.test[self.roles.target]

    @property
    def classes(self) -> list:
        if self.task == "regression":
            return []
        values = pd.concat([self.y_train, self.y_test], ignore_index=True).dropna().unique()
        return sorted(values.tolist(), key=lambda v: (str(type(v)), v))


def infer_task(y: pd.Series) -> Task:
    """Guess the task from the target: few distinct values means classification."""
    values = y.dropna()
    n_unique = values.nunique()
    if n_unique <= 2:
        return "binary"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "multiclass"
    numeric = values.to_numpy(dtype=float)
    integer_valued = bool(np.all(np.equal(np.mod(numeric, 1), 0)))
    if integer_valued and n_unique <= max(20, int(0.01 * len(values)) if len(values) < 2000 else 20):
        return "multiclass"
    return "regression"


def _describe_columns(columns: list[str], limit: int = 12) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f", … ({len(columns)} in all)" if len(columns) > limit else "")


def did_you_mean(name: str, columns: list[str]) -> str:
    folded = {c.casefold().strip(): c for c in columns}
    match = folded.get(name.casefold().strip())
    if match is None:
        close = difflib.get_close_matches(name, columns, n=1, cutoff=0.75)
        match = close[0] if close else None
    return f" Did you mean {match!r}?" if match is not None else ""


def _check_roles(roles: Roles) -> None:
    """One column cannot play two roles: a target that is also the group would leak itself."""
    seen: dict[str, str] = {}
    for role, col in roles.named():
        if role in ("study", "sensitive"):
            if col in seen and (role == "study" or seen[col] == "target"):
                raise InputError(
                    f"--{role} names column {col!r}, which is the --{seen[col]} column. Give it a feature column."
                )
            continue
        if col in seen:
            raise InputError(f"--{seen[col]} and --{role} both name column {col!r}. Give each role its own column.")
        seen[col] = role


_NESTED = (dict, list, set, tuple, np.ndarray)


def _check_nested(frame: pd.DataFrame, name: str) -> None:
    """Dicts and lists in cells (nested JSON, list columns in Parquet) cannot be hashed or encoded."""
    for col in frame.columns:
        values = frame[col]
        if values.dtype != object:
            continue
        if pd.api.types.infer_dtype(values, skipna=True) not in ("mixed", "mixed-integer", "empty"):
            continue
        nested = values.map(lambda v: isinstance(v, _NESTED))
        if nested.any():
            example = values[nested].iloc[0]
            shown = repr(example if not isinstance(example, np.ndarray) else example.tolist())
            raise InputError(
                f"{name}: column {col!r} holds nested values (e.g. {shown[:60]}). "
                "Flatten it into plain columns (pandas.json_normalize) or drop it."
            )


def _shown(values: list, limit: int = 4) -> str:
    head = ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in values[:limit])
    return head + (", ..." if len(values) > limit else "")


def _check_label_coding(y_train: pd.Series, y_test: pd.Series, target: str, train_name: str, test_name: str) -> None:
    """Train and test labels must share a coding: no test label among the training labels means
    the files code classes differently (0/1/2 against 'class_0'...), and every score would be 0."""
    train_values = sorted(y_train.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    test_values = sorted(y_test.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    if set(train_values) & set(test_values):
        return
    raise InputError(
        f"{test_name}: no label of target column {target!r} occurs in {train_name} "
        f"({train_name}: {_shown(train_values)}; {test_name}: {_shown(test_values)}). "
        "Code the classes the same way in both files."
    )


def validate_split(
    train: pd.DataFrame,
    test: pd.DataFrame,
    roles: Roles,
    *,
    train_name: str = "train",
    test_name: str = "test",
    task: Task | None = None,
) -> Task:
    """Check that train and test can be scanned together; return the task.

    Raises:
        InputError: With one line saying what is wrong and what to do.
    """
    _check_roles(roles)
    for frame, name in ((train, train_name), (test, test_name)):
        if len(frame) == 0:
            raise InputError(f"{name}: has no rows. Give data rows to scan.")
        cols = [str(c) for c in frame.columns]
        dupes = sorted({c for c in cols if cols.count(c) > 1})
        if dupes:
            raise InputError(f"{name}: duplicate column name(s) {_describe_columns(dupes)}. Rename them.")
        for role, col in roles.named():
            if col not in frame.columns:
                raise InputError(
                    f"{name}: no {role} column {col!r}.{did_you_mean(col, cols)} "
                    f"Columns are: {_describe_columns(cols)}. Pass one of them with --{role}."
                )
        _check_nested(frame, name)
    missing_in_test = [c for c in train.columns if c not in test.columns]
    missing_in_train = [c for c in test.columns if c not in train.columns]
    if missing_in_test or missing_in_train:
        parts = []
        if missing_in_test:
            parts.append(f"only in {train_name}: {_describe_columns(missing_in_test)}")
        if missing_in_train:
            parts.append(f"only in {test_name}: {_describe_columns(missing_in_train)}")
        raise InputError(
            f"{train_name} and {test_name} have different columns ({'; '.join(parts)}). "
            "Give both files the same columns."
        )
    target = roles.target
    for frame, name in ((train, train_name), (test, test_name)):
        y = frame[target]
        if y.dtype == object and pd.api.types.infer_dtype(y, skipna=True) in ("mixed", "mixed-integer"):
            kinds = sorted({type(v).__name__ for v in y.dropna()})
            raise InputError(
                f"{name}: target column {target!r} mixes value types ({', '.join(kinds)}). "
                "Give every label the same type, e.g. all text or all numbers."
            )
        n_missing = int(y.isna().sum())
        if n_missing:
            raise InputError(
                f"{name}: target column {target!r} has {n_missing} missing value(s). Drop or label those rows."
            )
        if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
            n_inf = int(np.isinf(y.to_numpy(dtype=float)).sum())
            if n_inf:
                raise InputError(
                    f"{name}: target column {target!r} has {n_inf} infinite value(s). Drop or fix those rows."
                )
    y_all = pd.concat([train[target], test[target]], ignore_index=True)
    if task is None:
        task = infer_task(y_all)
    elif task == "regression" and not pd.api.types.is_numeric_dtype(y_all):
        if pd.to_numeric(y_all, errors="coerce").isna().any():
            example = y_all[pd.to_numeric(y_all, errors="coerce").isna()].iloc[0]
            raise InputError(
                f"{train_name}: --task regression needs a numeric target, but {target!r} holds "
                f"{example!r}. Use --task binary or multiclass, or leave out --task."
            )
        raise InputError(
            f"{train_name}: target column {target!r} holds numbers stored as text. "
            "Store them as numbers (no quotes), or leave out --task."
        )
    elif task == "binary" and y_all.nunique() > 2:
        raise InputError(
            f"{train_name}: --task binary but target column {target!r} has {y_all.nunique()} classes. "
            "Use --task multiclass, or leave out --task."
        )
    if task != "regression":
        _check_label_coding(train[target], test[target], target, train_name, test_name)
        n_train_classes = train[target].nunique()
        if n_train_classes < 2:
            only = train[target].iloc[0]
            only = only.item() if isinstance(only, np.generic) else only  # 0, not np.int64(0)
            raise InputError(
                f"{train_name}: target column {target!r} has a single class ({only!r}). "
                "A classifier needs at least two classes in the training data."
            )
    elif y_all.nunique() < 2:
        raise InputError(f"{train_name}: target column {target!r} is constant. Nothing to predict.")
    features = [c for c in train.columns if c not in roles.non_features()]
    if not features:
        raise InputError(
            f"{train_name}: no feature columns left besides the target and role columns. "
            "Give at least one feature column."
        )
    return task
