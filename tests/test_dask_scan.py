"""``pitfall scan --engine dask`` on a real ``distributed.LocalCluster`` over partitioned Parquet:
the same findings as one machine, model checks on a stated sample, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.cli.main import main
from pitfall.data.partitions import list_pieces, read_parquet_pieces
from pitfall.errors import ConfigError, InputError
from pitfall.runners import scan as scan_module

distributed = pytest.importorskip("distributed")

from pitfall.engine.partitioned import PartitionedFrame  # noqa: E402

DATA_CHECKS = "PF1,PF2"


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False, dashboard_address=None) as c,
        distributed.Client(c) as client,
    ):
        yield c, client


def _write(frame: pd.DataFrame, folder: Path, files: int = 3, row_group: int = 400) -> Path:
    """A Parquet folder of ``files`` files, each of several row groups."""
    folder.mkdir(parents=True, exist_ok=True)
    step = -(-len(frame) // files)
    for i, start in enumerate(range(0, len(frame), step)):
        frame.iloc[start : start + step].to_parquet(folder / f"part-{i:02d}.parquet", row_group_size=row_group)
    return folder


def _planted(seed: int = 0, n: int = 5000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train/test with copies, conflicting labels, a constant and an id-like column, numbers as
    text with placeholders, shared groups and near copies."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "flux": rng.normal(size=n),
            "size": rng.lognormal(size=n),
            "colour": rng.choice(["red", "green", "blue"], n),
            "count": rng.poisson(4, n),
            "survey": "main",
            "serial": np.arange(n),
            "reading": [f"{v:.3f}" for v in rng.normal(size=n)],
            "specimen": rng.integers(0, n // 4, n),
        }
    )
    df.loc[df.index[::50], "reading"] = "n/a"
    df["label"] = (df["flux"] + rng.normal(size=n) > 0).map({True: "yes", False: "no"})
    train, test = df.iloc[: int(0.8 * n)].copy(), df.iloc[int(0.8 * n) :].copy()
    features = ["flux", "size", "colour", "count", "reading"]
    test.iloc[:50, test.columns.get_indexer(features)] = train.iloc[:50][features].to_numpy()  # exact copies
    near = train.iloc[100:160][features].copy()
    near["flux"] += 1e-5
    test.iloc[50:110, test.columns.get_indexer(features)] = near.to_numpy()  # near copies
    dup = train.iloc[300:340].copy()
    dup["label"] = np.where(dup["label"] == "yes", "no", "yes")  # copies with the other label
    train.iloc[400:440] = dup.to_numpy()
    return train.reset_index(drop=True), test.reset_index(drop=True)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("planted")
    train, test = _planted()
    return _write(train, folder / "train"), _write(test, folder / "test", files=2)


def _as_json(report) -> list[dict]:
    return json.loads(report.to_json())["findings"]


def test_the_cluster_gives_the_findings_of_one_machine(planted, cluster):
    train, test = planted
    kwargs = dict(target="label", group="specimen", config=False, select=DATA_CHECKS)
    local = pitfall.scan(train, test, **kwargs)
    spread = pitfall.scan(train, test, engine="dask", **kwargs)
    assert not local.crashed and not spread.crashed
    codes = {f.code for f in local.findings}
    assert {"PF101", "PF102", "PF103", "PF104", "PF105", "PF201", "PF202", "PF203"} <= codes
    assert _as_json(spread) == _as_json(local)
    assert spread.inputs["engine"] == "dask" and spread.inputs["workers"] == 3
    assert spread.inputs["partitions"] == {"train": 12, "test": 4}  # row groups of 400 rows
    assert spread.inputs["n_train"] == 4000 and spread.inputs["n_test"] == 1000


def test_clean_data_stay_silent_on_the_cluster(tmp_path, cluster):
    rng = np.random.default_rng(3)
    n = 4000
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(list("pqrs"), n)})
    df["y"] = (df["a"] - df["b"] + rng.normal(size=n) > 0).astype(int)
    train, test = _write(df.iloc[:3000], tmp_path / "train"), _write(df.iloc[3000:], tmp_path / "test")
    report = pitfall.scan(train, test, target="y", config=False, engine="dask", select=DATA_CHECKS)
    assert not report.crashed
    assert [f.code for f in report.findings if f.severity.value != "info"] == []


def test_model_checks_run_on_a_stated_sample(planted, cluster, monkeypatch):
    monkeypatch.setattr(scan_module, "SAMPLE_TRAIN_ROWS", 1500)
    monkeypatch.setattr(scan_module, "SAMPLE_TEST_ROWS", 500)
    train, test = planted
    report = pitfall.scan(
        train,
        test,
        target="label",
        group="specimen",
        config=False,
        engine="dask",
        select=["PF201", "PF401", "PF403"],
        seed=4,
    )
    assert not report.crashed
    assert report.inputs["sample"] == {"train": 1500, "test": 500, "checks": ["PF401", "PF403"]}
    assert report.inputs["n_train"] == 4000  # the data checks still read every row
    assert any("seeded sample of 1,500 of 4,000 training and 500 of 1,000 test rows" in n for n in report.notes)
    pf201 = next(f for f in report.findings if f.code == "PF201")
    assert pf201.evidence["count"] == 50
    again = pitfall.scan(
        train,
        test,
        target="label",
        group="specimen",
        config=False,
        engine="dask",
        select=["PF201", "PF401", "PF403"],
        seed=4,
    )
    assert _as_json(again) == _as_json(report)  # the seed fixes the sample


def test_cli_with_a_scheduler_address(planted, cluster, capsys):
    c, _ = cluster
    train, test = planted
    code = main(
        [
            "scan",
            str(train),
            str(test),
            "--target",
            "label",
            "--group",
            "specimen",
            "--select",
            "PF201,PF103",
            "--engine",
            "dask",
            "--scheduler",
            c.scheduler_address,
            "--format",
            "json",
            "--no-config",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {f["code"] for f in out["findings"]} == {"PF201", "PF103"}
    assert out["inputs"]["engine"] == "dask" and out["inputs"]["scheduler"] == c.scheduler_address


def test_partitioned_frame_reads_what_one_machine_reads(planted, cluster):
    _, client = cluster
    train, _ = planted
    pieces, columns = list_pieces(train)
    whole = read_parquet_pieces(train)
    frame = PartitionedFrame(client, pieces, columns, str(train))
    try:
        assert len(frame) == len(whole) and list(frame.columns) == list(whole.columns)
        pd.testing.assert_series_equal(frame["flux"], whole["flux"])
        rows = np.array([3999, 0, 1234, 400, 399, 1234])
        pd.testing.assert_frame_equal(frame.take(rows), whole.iloc[rows].reset_index(drop=True))
        pd.testing.assert_frame_equal(frame.iloc[::997], whole.iloc[::997].reset_index(drop=True))
        sums = frame.map_partitions(lambda part, offset: (offset, len(part)))
        assert [s[0] for s in sums] == [p.offset for p in pieces] and sum(s[1] for s in sums) == len(whole)
    finally:
        frame.release()


def test_bad_inputs_get_one_line_errors(tmp_path, planted, cluster):
    train, test = planted
    csv = tmp_path / "train.csv"
    read_parquet_pieces(train).to_csv(csv, index=False)
    with pytest.raises(ConfigError, match="reads Parquet files or folders"):
        pitfall.scan(csv, test, target="label", engine="dask", config=False)
    with pytest.raises(ConfigError, match="given train and test set"):
        pitfall.scan(train, target="label", engine="dask", config=False)
    with pytest.raises(ConfigError, match="--scheduler needs --engine dask"):
        pitfall.scan(train, test, target="label", scheduler="tcp://127.0.0.1:1", config=False)
    odd = tmp_path / "odd"
    _write(read_parquet_pieces(train), odd)
    pd.DataFrame({"other": [1, 2]}).to_parquet(odd / "part-99.parquet")
    with pytest.raises(InputError, match="part-99.parquet: its columns differ"):
        pitfall.scan(odd, test, target="label", engine="dask", config=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no data")
    with pytest.raises(InputError, match="no .parquet files"):
        list_pieces(empty)


def test_a_parquet_folder_scans_on_one_machine_too(planted):
    train, test = planted
    report = pitfall.scan(train, test, target="label", group="specimen", config=False, select="PF201")
    assert report.inputs["n_train"] == 4000
    assert [f.evidence["count"] for f in report.findings] == [50]


def test_noisy_repeats_are_found_by_the_same_neighbour_search(tmp_path, cluster):
    """Repeated measurements (3% noise on 24 columns) escape the grids; each piece's nearest
    neighbours, merged, are the nearest neighbours of the whole training set."""
    rng = np.random.default_rng(5)
    specimens = rng.normal(size=(1500, 24))
    train_rows = np.repeat(specimens, 3, axis=0) + rng.normal(scale=0.03, size=(4500, 24))
    fresh = rng.normal(size=(900, 24))
    repeats = specimens[:100] + rng.normal(scale=0.03, size=(100, 24))
    columns = [f"x{j}" for j in range(24)]
    train = pd.DataFrame(train_rows, columns=columns)
    test = pd.DataFrame(np.vstack([repeats, fresh]), columns=columns)
    train["y"] = (train["x0"] + rng.normal(size=len(train)) > 0).astype(int)
    test["y"] = (test["x0"] + rng.normal(size=len(test)) > 0).astype(int)
    train_dir, test_dir = (
        _write(train.sample(frac=1, random_state=0), tmp_path / "train"),
        _write(test, tmp_path / "test"),
    )
    kwargs = dict(target="y", config=False, select="PF202,PF203")
    local = pitfall.scan(train_dir, test_dir, **kwargs)
    spread = pitfall.scan(train_dir, test_dir, engine="dask", **kwargs)
    assert _as_json(spread) == _as_json(local)
    by_code = {f.code: f for f in local.findings}
    assert by_code["PF202"].evidence["count"] == 100 and by_code["PF202"].evidence["local_dimension"] > 10
    assert by_code["PF203"].evidence["method"] == "nearest neighbours"
    assert by_code["PF203"].evidence["median_training_copies"] >= 2
