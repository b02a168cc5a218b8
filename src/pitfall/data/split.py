"""Make a train/test split when the user gives one file: random, by group, or by time."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from pitfall.data.dataset import Roles
from pitfall.errors import ConfigError, InputError

__all__ = ["SplitMethod", "make_split"]

SplitMethod = Literal["random", "group", "time"]


def make_split(
    frame: pd.DataFrame,
    roles: Roles,
    *,
    method: SplitMethod,
    test_size: float = 0.2,
    seed: int = 0,
    stratify: bool = True,
    source: str = "data",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split one frame into train and test.

    ``random`` stratifies on the target for classification when every class has two rows;
    ``group`` keeps each group on one side; ``time`` puts the newest rows in test.
    """
    if not 0.0 < test_size < 1.0:
        raise ConfigError(f"--test-size must be between 0 and 1. Got {test_size!r} instead.")
    if len(frame) < 4:
        raise InputError(
            f"{source}: only {len(frame)} rows; at least 4 are needed to split. "
            "Give more rows, or a separate test file."
        )
    if method == "random":
        y = frame[roles.target]
        counts = y.value_counts()
        strat = y if stratify and len(counts) > 1 and counts.min() >= 2 and len(counts) < len(y) * test_size else None
        train, test = train_test_split(frame, test_size=test_size, random_state=seed, stratify=strat)
    elif method == "group":
        if not roles.group:
            raise ConfigError("--split group needs --group COLUMN naming the object each row belongs to.")
        groups = frame[roles.group]
        if groups.isna().any():
            raise InputError(
                f"{source}: group column {roles.group!r} has {int(groups.isna().sum())} missing value(s). "
                "Give every row a group."
            )
        if groups.nunique() < 2:
            raise InputError(
                f"{source}: group column {roles.group!r} has one group; cannot split by group. "
                "Check the --group column, or use --split random."
            )
        splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
        train_idx, test_idx = next(splitter.split(frame, groups=groups))
        train, test = frame.iloc[train_idx], frame.iloc[test_idx]
    elif method == "time":
        if not roles.time:
            raise ConfigError("--split time needs --time COLUMN naming when each row was observed.")
        times = parse_time(frame[roles.time], source=source)
        order = np.argsort(times.to_numpy(), kind="stable")
        cut = int(round(len(frame) * (1 - test_size)))
        cut = min(max(cut, 1), len(frame) - 1)
        train, test = frame.iloc[order[:cut]], frame.iloc[order[cut:]]
    else:
        raise ConfigError(f"--split must be random, group or time. Got {method!r} instead.")
    return train.reset_index(drop=True), test.reset_index(drop=True)


def parse_time(values: pd.Series, *, source: str = "data") -> pd.Series:
    """Parse a time column (datetime, ISO strings or numbers) into something orderable."""
    if pd.api.types.is_datetime64_any_dtype(values):
        # Naive times are taken as UTC, so a tz-aware test file compares with a naive train file.
        parsed = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz is not None else values
    elif pd.api.types.is_numeric_dtype(values):
        parsed = values
    else:
        parsed = pd.to_datetime(values, errors="coerce", utc=True, format="mixed").dt.tz_localize(None)
        bad = parsed.isna() & values.notna()
        if bad.mean() > 0.05:
            example = values[bad].iloc[0]
            raise InputError(
                f"{source}: time column {values.name!r} has values that are not dates, e.g. {example!r}. "
                "Use ISO dates (2024-05-01) or numbers."
            )
    if parsed.isna().all():
        raise InputError(f"{source}: time column {values.name!r} is empty. Fill it in, or leave out --time.")
    return parsed
