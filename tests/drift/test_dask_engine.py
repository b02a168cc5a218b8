"""``--engine dask`` on a real ``distributed.LocalCluster`` gives the local engine's results."""

from __future__ import annotations

import json
import math
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import pitfall
from pitfall.cli.main import main
from pitfall.data.stream import _csv_source
from pitfall.data.summaries import RowSample, merge, summarize_categorical
from pitfall.engine.local import LocalEngine
from pitfall.errors import ConfigError
from tests.drift.synthetic import frame

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

from pitfall.engine.dask_cluster import DaskEngine  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c,
        distributed.Client(c, set_as_default=False) as client,
    ):
        yield c, client


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dask")
    ref, cur = frame(6000, seed=1, days=21), frame(5000, seed=2, shift=0.3, days=21)
    cur.loc[cur.index[:300], "c"] = "new"
    ref.loc[ref.index[::17], "x2"] = np.nan
    paths = {name: folder / name for name in ("ref.parquet", "cur.parquet", "ref.csv", "cur.csv")}
    ref.to_parquet(paths["ref.parquet"], row_group_size=900)  # several row groups on both sides
    cur.to_parquet(paths["cur.parquet"], row_group_size=700)
    ref.to_csv(paths["ref.csv"], index=False)
    cur.to_csv(paths["cur.csv"], index=False)
    model = make_pipeline(SimpleImputer(), LogisticRegression())
    paths["model"] = model.fit(ref[["x0", "x1", "x2", "x3", "x4"]], ref["label"])
    return paths


def assert_close(a, b, path="metrics"):
    """Equal structure; floats equal up to the rounding of sums added in another order."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(b, str):
        assert (math.isnan(a) and math.isnan(b)) or b == pytest.approx(a, rel=1e-7, abs=1e-12), (path, a, b)
    else:
        assert a == b, (path, a, b)


def same_reports(local, remote) -> None:
    assert not local.crashed and not remote.crashed
    assert local.skipped == remote.skipped
    assert [(f.code, f.columns, f.severity) for f in local.findings] == [
        (f.code, f.columns, f.severity) for f in remote.findings
    ]
    for f, g in zip(local.findings, remote.findings, strict=True):
        assert_close(f.evidence, g.evidence, f"{f.code}.evidence")
    assert_close(local.metrics["drift"], remote.metrics["drift"])


def test_parquet_with_windows_and_model_matches_local(files, cluster):
    c, _ = cluster
    kw = dict(
        config=False, target="label", time="t", window="7d", sample_rows=2000, chunk_rows=800, model=files["model"]
    )
    local = pitfall.drift(files["ref.parquet"], files["cur.parquet"], **kw)
    remote = pitfall.drift(
        files["ref.parquet"], files["cur.parquet"], engine="dask", scheduler=c.scheduler_address, **kw
    )
    assert set(local.codes()) >= {"PF501", "PF502"}
    same_reports(local, remote)
    assert remote.inputs["engine"] == "dask" and remote.inputs["n_current"] == 5000


def test_csv_and_default_client_match_local(files, cluster):
    _, client = cluster
    kw = dict(config=False, target="label", time="t", window="7d", sample_rows=1500, chunk_rows=1000)
    local = pitfall.drift(files["ref.csv"], files["cur.csv"], **kw)
    with client.as_current():  # no --scheduler: the current client is used
        remote = pitfall.drift(files["ref.csv"], files["cur.csv"], engine="dask", **kw)
    same_reports(local, remote)


def _part(chunk: pd.DataFrame) -> tuple[int, object, RowSample]:
    return len(chunk), summarize_categorical(chunk["c"]), RowSample.of(chunk, 300, 0)


def _add(a, b):
    return a[0] + b[0], a[1].merge(b[1]), a[2].merge(b[2])


def test_csv_blocks_read_as_the_local_reader_reads_them(files, cluster):
    """Newline-aligned blocks of a streamed CSV, each parsed with the header in front, give the
    rows of the whole file: counts, category counts and the row sample are identical."""
    _, client = cluster
    source = _csv_source(files["cur.csv"], None)
    columns = ["x0", "c", "label", "t"]
    local = LocalEngine().map_reduce(source, columns, 700, _part, _add)
    remote = DaskEngine(client, csv_block=4096).map_reduce(source, columns, 700, partial(_part), _add)
    assert local[0] == remote[0] == 5000
    assert local[1].counts == remote[1].counts and local[1].missing == remote[1].missing
    assert np.array_equal(local[2].keys, remote[2].keys)
    pd.testing.assert_frame_equal(local[2].frame, remote[2].frame)
    whole = merge(
        [RowSample.of(pd.read_csv(files["cur.csv"], dtype=str, keep_default_na=False, na_values=[""])[columns], 300, 0)]
    )
    assert whole.n == remote[2].n


def test_cli_engine_dask_with_scheduler(files, cluster, capsys):
    c, _ = cluster
    argv = [
        "drift",
        files["ref.parquet"],
        files["cur.parquet"],
        "--target",
        "label",
        "--select",
        "PF501,PF502",
        "--no-config",
        "--format",
        "json",
    ]
    outs = []
    for extra in ([], ["--engine", "dask", "--scheduler", c.scheduler_address]):
        capsys.readouterr()
        rc = main([str(a) for a in argv + extra])
        outs.append((rc, json.loads(capsys.readouterr().out)))
    (rc_l, local), (rc_d, remote) = outs
    assert rc_l == rc_d == 1
    assert [f["code"] for f in local["findings"]] == [f["code"] for f in remote["findings"]]
    assert_close(local["metrics"]["drift"], remote["metrics"]["drift"])


def test_unreachable_scheduler_is_one_line_error(files, capsys):
    argv = [
        "drift",
        files["ref.csv"],
        files["cur.csv"],
        "--no-config",
        "--engine",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
    ]
    capsys.readouterr()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        rc = main([str(a) for a in argv])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("pitfall: error:"), err
    assert "cannot reach the Dask scheduler" in err and "Traceback" not in err


def test_bad_engine_options(files):
    with pytest.raises(ConfigError, match="--engine must be one of"):
        pitfall.drift(files["ref.csv"], files["cur.csv"], config=False, engine="spark")
    with pytest.raises(ConfigError, match="--scheduler needs --engine dask"):
        pitfall.drift(files["ref.csv"], files["cur.csv"], config=False, scheduler="tcp://127.0.0.1:9")
