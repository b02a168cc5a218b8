"""``scan()``: load, split, select checks, run them with a shared context, return a Report."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.base import Check, Skip
from pitfall.checks.context import Context, Options
from pitfall.checks.registry import CHECKS, SPECS
from pitfall.checks.selection import parse_selectors, select_codes
from pitfall.config import Config, resolve_config
from pitfall.data.content_model import default_model_name
from pitfall.data.dataset import Roles, Split, validate_split
from pitfall.data.load import read_table
from pitfall.data.model import check_model
from pitfall.data.split import make_split
from pitfall.errors import ConfigError, InputError, ModelError, PitfallError
from pitfall.findings import Finding
from pitfall.report import Report

__all__ = ["scan", "build_split"]

DataLike = pd.DataFrame | str | os.PathLike


def _as_frame(data: DataLike, name: str) -> tuple[pd.DataFrame, str]:
    if _is_partitioned(data):
        return data, data.name
    if isinstance(data, pd.DataFrame):
        # Files give string column names; a frame may not (0, 1, ...). Checks and CLI options
        # speak of columns by name, so use strings (a new frame: the user's is not touched).
        if not all(isinstance(c, str) for c in data.columns):
            data = data.rename(columns=str)
        return data, name
    if isinstance(data, (str, os.PathLike)):
        from pitfall.data.partitions import is_parquet_folder, read_parquet_pieces

        if is_parquet_folder(data):
            return read_parquet_pieces(data), str(data)
        return read_table(data), str(data)
    try:
        import polars as pl  # optional

        if isinstance(data, pl.DataFrame):
            return data.to_pandas(), name
    except ImportError:
        pass
    raise InputError(f"{name} must be a pandas DataFrame or a path to a data file. Got {type(data).__name__} instead.")


def _columns(value: list[str] | tuple[str, ...] | str | None) -> tuple[str, ...]:
    """Column names from a list or a comma-separated string, in order, without repeats."""
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else [str(v) for v in value]
    names = [part.strip() for v in values for part in v.split(",")]
    return tuple(dict.fromkeys(n for n in names if n))


def build_split(
    train: DataLike,
    test: DataLike | None = None,
    *,
    target: str | None = None,
    group: str | None = None,
    time: str | None = None,
    id: str | None = None,
    study: list[str] | str | None = None,
    sensitive: list[str] | str | None = None,
    text: list[str] | str | None = None,
    image: list[str] | str | None = None,
    split: str | None = None,
    test_size: float = 0.2,
    task: str | None = None,
    seed: int = 0,
) -> Split:
    """Load the data and make (or take) the train/test split, validated.

    ``train`` may be an image folder (``root/<label>/*.png``, or ``root/train/<label>/`` and
    ``root/test/<label>/``): its frame has the image paths in ``path`` and the labels in ``label``.
    """
    folder = str(Path(train).resolve()) if _is_image_folder(train) else None
    if folder:
        train, test, target, image = _image_folder(train, test, target, image)
    elif target is None:
        raise ConfigError(
            "--target is required: name the label column (e.g. --target label); see `pitfall scan --help`."
        )
    roles = Roles(
        target=target,
        group=group,
        time=time,
        id=id,
        study=_columns(study),
        sensitive=_columns(sensitive),
        text=_columns(text),
        image=_columns(image),
    )
    root = _root(train)
    if folder:
        root = folder
    train_df, train_name = _as_frame(train, f"{folder}/train" if folder and test is not None else folder or "train")
    if task is not None and task not in ("binary", "multiclass", "regression"):
        raise ConfigError(f"--task must be binary, multiclass or regression. Got {task!r} instead.")
    if test is None:
        method = split or ("group" if group else "time" if time else "random")
        validate_split(train_df, train_df.head(1), roles, train_name=train_name, test_name=train_name, task=task)
        tr, te = make_split(train_df, roles, method=method, test_size=test_size, seed=seed, source=train_name)
        sources = {"data": train_name}
        test_name = f"{train_name} ({method} split)"
        train_name = f"{train_name} ({method} split)"
    else:
        if split is not None:
            raise ConfigError("--split is for one data file; with a train and a test file, leave it out.")
        tr, test_name = _as_frame(test, f"{folder}/test" if folder else "test")
        tr, te = train_df, tr
        method = "given"
        sources = {"train": train_name, "test": test_name}
    task_ = validate_split(tr, te, roles, train_name=train_name, test_name=test_name, task=task)
    features = [str(c) for c in tr.columns if c not in roles.non_features()]
    return Split(
        train=tr.reset_index(drop=True) if method == "given" and not _is_partitioned(tr) else tr,
        test=te.reset_index(drop=True) if method == "given" and not _is_partitioned(te) else te,
        roles=roles,
        task=task_,
        features=features,
        sources=sources,
        split_method=method,
        seed=seed,
        root=root,
    )


def _is_partitioned(data: object) -> bool:
    return type(data).__name__ == "PartitionedFrame"


def _is_image_folder(data: object) -> bool:
    if not isinstance(data, (str, os.PathLike)) or not Path(data).is_dir():
        return False
    from pitfall.data.partitions import is_parquet_folder

    return not is_parquet_folder(data)


def _root(data: object) -> str | None:
    """The folder image paths are relative to: the one holding the data file (or Parquet folder)."""
    if _is_partitioned(data):
        data = data.name
    if not isinstance(data, (str, os.PathLike)):
        return None
    return str(Path(data).resolve().parent)


def _image_folder(
    train: DataLike, test: DataLike | None, target: str | None, image: list[str] | str | None
) -> tuple[pd.DataFrame, pd.DataFrame | None, str, list[str]]:
    from pitfall.data.image_folder import LABEL_COLUMN, PATH_COLUMN, read_image_folder

    if test is not None:
        raise InputError(
            f"{train}: is a directory. Give a train and a test data file (.csv, .parquet, .jsonl), or an "
            "image folder alone (root/<label>/, or root/train/<label>/ and root/test/<label>/)."
        )
    if target not in (None, LABEL_COLUMN):
        raise ConfigError(
            f"{train}: an image folder's labels are its folder names, in column {LABEL_COLUMN!r}. "
            f"Got --target {target!r} instead; leave --target out."
        )
    tr, te = read_image_folder(train)
    images = [*_columns(image)]
    return tr, te, LABEL_COLUMN, images if PATH_COLUMN in images else [PATH_COLUMN, *images]


def scan(
    train: DataLike,
    test: DataLike | None = None,
    *,
    target: str | None = None,
    group: str | None = None,
    time: str | None = None,
    id: str | None = None,
    study: list[str] | str | None = None,
    sensitive: list[str] | str | None = None,
    text: list[str] | str | None = None,
    image: list[str] | str | None = None,
    rules: str | Path | None = None,
    embed: Any = None,
    model: Any = None,
    split: str | None = None,
    test_size: float | None = None,
    task: str | None = None,
    metric: str | None = None,
    seed: int | None = None,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    config: Config | str | Path | bool | None = None,
    claimed_precision: float | None = None,
    engine: str | None = None,
    scheduler: str | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Scan a train/test split (and optionally a model) for ML pitfalls.

    Args:
        train: Training data (DataFrame or file path), or the whole data set when ``test`` is None,
            or an image folder (``root/<label>/*.png``, or ``root/train/<label>/`` and
            ``root/test/<label>/``) giving the columns ``path`` and ``label``.
        test: Test data; when None, pitfall splits ``train`` with ``split``.
        target: Label column (required, except for an image folder, whose target is ``label``).
        group: Column naming the object each row belongs to (rows of one group must stay together).
        time: Column with the observation time.
        id: Row-identifier column, never used as a feature.
        study: Feature(s) the study is about; PF302 checks the model does not beg the question.
        sensitive: Column(s) whose groups must be served equally well (PF303 slices by them).
        text: Column(s) of free text: read by the default model through TF-IDF and by the text checks.
        image: Column(s) of image file paths (relative to the data file's folder): read by the
            default model as pixels and by the image checks.
            When ``text`` is None or empty, string columns of long, multi-word, mostly unique values
            are detected as text (a note says so); ``text=False`` turns detection off.
        rules: CSV file of regular expressions and labels (``pattern,label``): PF401 scores them
            as a baseline next to the model.
        embed: An embedding function (or ``"module:function"``) mapping a list of texts or image
            paths to a 2-D array: the default model uses it instead of TF-IDF / pixels.
        model: A fitted scikit-learn-style estimator; pitfall fits its default model when None.
        split: ``random``, ``group`` or ``time`` (only with one data set).
        test_size: Share of rows for test when pitfall splits. Defaults to 0.2.
        task: ``binary``, ``multiclass`` or ``regression``; inferred when None.
        metric: Metric name or ``auto`` (balanced accuracy / R²).
        seed: Seed for every random step. Defaults to 0.
        select: Codes or prefixes to run (ruff-style), e.g. ``["PF2", "PF401"]``.
        ignore: Codes or prefixes to skip.
        config: A ``Config``, a pyproject.toml path, False to ignore config files, or None to
            use the nearest pyproject.toml.
        claimed_precision: Precision you will quote for the score: PF403 warns when the test set
            cannot support it. Without one, PF403 notes the supported precision at info.
        engine: ``local`` (this process) or ``dask``: the rows stay on a Dask cluster, which reads
            ``train`` and ``test`` (Parquet files or folders of them) piece by piece; the
            integrity and leakage checks that fit no model run on every row, the others on a
            seeded sample that the report states (see docs/dask.md).
        scheduler: Address of the Dask scheduler (``tcp://host:8786``) for ``engine="dask"``;
            without one, the current ``distributed.Client`` or a local cluster in this process.
        on_progress: Called as ``on_progress(code, done, total)`` before each check.

    Returns:
        A Report with the findings, skipped checks and measured metrics.
    """
    cfg = resolve_config(config)
    seed = seed if seed is not None else (cfg.seed if cfg.seed is not None else 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError(f"seed must be an integer from 0 to 2**32 - 1. Got {seed!r} instead.")
    test_size = test_size if test_size is not None else (cfg.test_size or 0.2)
    metric = metric or cfg.metric or "auto"
    started = perf_counter()
    with ExitStack() as stack:
        if engine not in (None, "local") or scheduler is not None:
            train, test, engine_info = _open_partitioned(stack, engine, scheduler, train, test, split)
        else:
            engine_info = None
        return _scan(
            train,
            test,
            target=target,
            group=group,
            time=time,
            id=id,
            study=study,
            sensitive=sensitive,
            text=text,
            image=image,
            rules=rules,
            embed=embed,
            model=model,
            split=split,
            test_size=test_size,
            task=task,
            metric=metric,
            seed=seed,
            select=select,
            ignore=ignore,
            cfg=cfg,
            claimed_precision=claimed_precision,
            engine_info=engine_info,
            on_progress=on_progress,
            started=started,
        )


def _open_partitioned(
    stack: ExitStack, engine: str, scheduler: str | None, train: Any, test: Any, split: str | None
) -> tuple[Any, Any, dict[str, Any]]:
    """Connect to the cluster and hand it the pieces of ``train`` and ``test`` (closed with ``stack``)."""
    from pitfall.data.partitions import list_pieces
    from pitfall.engine.local import open_engine
    from pitfall.engine.partitioned import PartitionedFrame

    if engine != "dask":
        with open_engine(engine or "local", scheduler):  # the one-line error for a bad name or pair
            pass
    if test is None or split is not None:
        raise ConfigError(
            "--engine dask scans a given train and test set: pass both (Parquet files or folders); "
            "split the data before, e.g. by a hash of the object's id."
        )
    for data, name in ((train, "train"), (test, "test")):
        if not isinstance(data, (str, os.PathLike)) or Path(data).suffix not in (".parquet", ".pq", ""):
            raise ConfigError(
                f"--engine dask reads Parquet files or folders of them; {name} is {str(data)!r}. "
                "Convert it first, e.g. `pandas.read_csv(path).to_parquet('data.parquet')`."
            )
    cluster = stack.enter_context(open_engine("dask", scheduler))
    frames = []
    for data in (train, test):
        pieces, columns = list_pieces(data)
        frame = PartitionedFrame(cluster.client, pieces, columns, str(data))
        stack.callback(frame.release)
        frames.append(frame)
    info = {
        "engine": "dask",
        "scheduler": scheduler or "local cluster",
        "workers": len(cluster.client.scheduler_info().get("workers", {})),
        "partitions": {"train": frames[0].partitions, "test": frames[1].partitions},
    }
    return frames[0], frames[1], info


def _scan(
    train: Any,
    test: Any,
    *,
    target: str | None,
    group: str | None,
    time: str | None,
    id: str | None,
    study: Any,
    sensitive: Any,
    text: Any,
    image: Any,
    rules: Any,
    embed: Any,
    model: Any,
    split: str | None,
    test_size: float,
    task: str | None,
    metric: str,
    seed: int,
    select: Any,
    ignore: Any,
    cfg: Config,
    claimed_precision: float | None,
    engine_info: dict[str, Any] | None,
    on_progress: Callable[[str, int, int], None] | None,
    started: float,
) -> Report:
    data = build_split(
        train,
        test,
        target=target,
        group=group,
        time=time,
        id=id,
        study=study,
        sensitive=sensitive,
        text=None if text is False else text,
        image=image,
        split=split,
        test_size=test_size,
        task=task,
        seed=seed,
    )
    if model is not None:
        check_model(model)
    if data.roles.image:  # before any check: every image would otherwise be "unreadable"
        from pitfall.data.images import require_pillow

        require_pillow()
    text_note = None
    if text is not False and not data.roles.text:
        from pitfall.data.detect import apply_text_detection

        text_note = apply_text_detection(data)
    ruleset = _load_rules(rules, data)
    if embed is not None:
        from pitfall.data.embed import resolve_embed

        embed = resolve_embed(embed)
    params = {code: dict(p) for code, p in cfg.checks.items()}
    if claimed_precision is not None:
        params.setdefault("PF403", {})["claimed_precision"] = claimed_precision
    options = Options(metric=metric, seed=seed, check_params=params, rules=ruleset, embed=embed)
    ctx = Context(data, options, model=model)
    if text_note:
        ctx.notes.append(text_note)
    _ = ctx.metric  # validate the metric name against the task before any work
    if model is not None and ctx.metric.needs_proba and not hasattr(model, "predict_proba"):
        raise ModelError(
            f"metric {ctx.metric.name} needs probabilities but the model ({type(model).__name__}) "
            "has no predict_proba(). Use --metric balanced_accuracy or a probabilistic model."
        )
    sel = parse_selectors(select, option="--select") or cfg.select
    ign = parse_selectors(ignore, option="--ignore") + cfg.ignore
    codes = select_codes(CHECKS, parse_selectors(sel, option="select"), parse_selectors(ign, option="ignore"))
    codes = [c for c in codes if SPECS[c].command() == "scan"]  # others run with `pitfall drift` / `thresholds`
    ctx.prediction_users = frozenset(  # checks that fit or use a model of the label (PF206 refits only the user's)
        c for c in codes if CHECKS[c].requires.model and CHECKS[c].model_based and not _unmet(CHECKS[c], data, model)
    )
    report = Report(
        inputs={
            **data.sources,
            "target": data.roles.target,
            "task": data.task,
            "split": data.split_method,
            "n_train": len(data.train),
            "n_test": len(data.test),
            "n_features": len(data.features),
            "group": group,
            "time": time,
            "id": id,
            "study": list(data.roles.study),
            "sensitive": list(data.roles.sensitive),
            "text": list(data.roles.text),
            "image": list(data.roles.image),
            "rules": ruleset.path if ruleset is not None else None,
            "embed": _embed_name(embed),
            "model": "user" if model is not None else f"default ({default_model_name(data)})",
            "model_class": type(model).__name__ if model is not None else "DefaultModel",
            "metric": ctx.metric.name,
            "seed": seed,
            "config": cfg.source,
            **(engine_info or {}),
        },
        frames=None if engine_info else data,
    )
    on_sample = SampledChecks(data, options, model, ctx) if engine_info else None
    for i, code in enumerate(codes):
        cls = CHECKS[code]
        if on_progress:
            on_progress(code, i, len(codes))
        reason = _unmet(cls, data, model)
        if reason:
            report.skipped[code] = reason
            continue
        run_check(code, on_sample.context(code) if on_sample else ctx, params, cfg, report)
    if on_progress:
        on_progress("done", len(codes), len(codes))
    report.metrics = ctx.metrics
    report.notes = ctx.notes
    if on_sample:
        on_sample.finish(report)
    report.timings["total"] = perf_counter() - started
    report.sort()
    return report


ON_EVERY_ROW = ("integrity", "leakage")  # families whose model-free checks run on every row with --engine dask
SAMPLE_TRAIN_ROWS = 200_000
SAMPLE_TEST_ROWS = 50_000


def runs_on_every_row(cls: type[Check]) -> bool:
    """With ``--engine dask``: integrity and leakage checks that fit no model see every row."""
    return cls.family in ON_EVERY_ROW and not cls.model_based and not cls.requires.model


class SampledChecks:
    """With ``--engine dask``, the checks that fit or score a model run on a seeded sample.

    The sample (at most ``SAMPLE_TRAIN_ROWS`` training and ``SAMPLE_TEST_ROWS`` test rows, drawn
    with the scan's seed) is fetched from the cluster once, the first time such a check runs;
    their intervals are the sample's, and a note in the report says which checks used it.
    """

    def __init__(self, data: Split, options: Options, model: Any, full: Context) -> None:
        self.data, self.options, self.model, self.full = data, options, model, full
        self._ctx: Context | None = None
        self.used: list[str] = []

    def context(self, code: str) -> Context:
        if runs_on_every_row(CHECKS[code]):
            return self.full
        self.used.append(code)
        if self._ctx is None:
            rng = np.random.default_rng([self.options.seed, 7])
            parts = []
            for frame, most in ((self.data.train, SAMPLE_TRAIN_ROWS), (self.data.test, SAMPLE_TEST_ROWS)):
                n = len(frame)
                rows = np.sort(rng.choice(n, most, replace=False)) if n > most else np.arange(n)
                parts.append(frame.take(rows))
            sample = replace(self.data, train=parts[0], test=parts[1])
            self._ctx = Context(sample, self.options, model=self.model)
            self._ctx.prediction_users = self.full.prediction_users
        return self._ctx

    def finish(self, report: Report) -> None:
        if self._ctx is None:
            return
        train, test = len(self._ctx.split.train), len(self._ctx.split.test)
        self.used = [c for c in self.used if c not in report.skipped]
        report.inputs["sample"] = {"train": train, "test": test, "checks": self.used}
        report.metrics = {**self._ctx.metrics, **report.metrics}
        report.notes.extend(self._ctx.notes)
        if train == len(self.data.train) and test == len(self.data.test):
            report.notes.append(
                f"--engine dask: {', '.join(self.used)} fitted and scored models on every row, fetched "
                "from the cluster (the data are smaller than the sample these checks would otherwise use)."
            )
            return
        report.notes.append(
            f"--engine dask: {', '.join(self.used)} fitted and scored models on a seeded sample of "
            f"{train:,} of {len(self.data.train):,} training and {test:,} of {len(self.data.test):,} test rows "
            "(their intervals are the sample's); the other checks read every row on the cluster."
        )


def run_check(code: str, ctx: Any, params: dict[str, dict[str, Any]], cfg: Config, report: Report) -> None:
    """Run one check into ``report``: findings (after config), a skip reason or a crash, and its time.

    Shared by ``scan`` and ``drift``: a crashing check is recorded and the others still run.
    """
    t0 = perf_counter()
    try:
        check = CHECKS[code](**params.get(code, {}))
    except TypeError as exc:
        raise ConfigError(
            f"[tool.pitfall.checks.{code}]: {exc}. Run `pitfall explain {code}` for its options."
        ) from None
    try:
        found = list(check.run(ctx))
    except Skip as exc:
        report.skipped[code] = str(exc)
    except PitfallError:
        raise
    except Exception as exc:
        report.crashed[code] = f"{type(exc).__name__}: {exc}"
        if os.environ.get("PITFALL_DEBUG") == "1":
            import traceback

            traceback.print_exc()
    else:
        report.findings.extend(_apply_config(found, cfg))
    report.timings[code] = perf_counter() - t0


def _load_rules(rules: str | Path | None, data: Split):
    """The ``--rules`` file, read and checked against the data (before any check runs)."""
    if rules is None:
        return None
    from pitfall.checks.evaluation.rules import load_rules

    ruleset = load_rules(rules)
    if data.task == "regression":
        raise ConfigError(f"--rules {rules}: regular-expression rules predict classes; the target is numeric.")
    if not data.roles.text:
        raise ConfigError(f"--rules {rules}: the rules read text, and no column is text. Pass --text COLUMN.")
    ruleset.check_labels(list(data.classes))
    return ruleset


def _embed_name(embed: Any) -> str | None:
    from pitfall.data.embed import embed_name

    return embed_name(embed)


def _unmet(cls: type[Check], data: Split, model: Any = None) -> str | None:
    req = cls.requires
    if data.task not in req.tasks:
        return f"does not apply to {data.task} targets"
    if req.user_model and model is None:
        return "needs the user's fitted model (--model); pitfall's own model is fitted on train"
    if req.group and not data.roles.group:
        return "needs --group"
    if req.time and not data.roles.time:
        return "needs --time"
    if req.study and not data.roles.study:
        return "needs --study"
    if req.text and not data.roles.text:
        return "needs --text"
    if req.image and not data.roles.image:
        return "needs --image"
    return None


def _apply_config(findings: list[Finding], cfg: Config) -> list[Finding]:
    from dataclasses import replace

    out = []
    for f in findings:
        if f.columns and all(
            f.code in cfg.per_column_ignores.get(c, [])
            or any(f.code.startswith(p) for p in cfg.per_column_ignores.get(c, []))
            for c in f.columns
        ):
            continue
        if f.code in cfg.severity:
            f = replace(f, severity=cfg.severity[f.code])
        out.append(f)
    return out
