"""Chunked reading gives the same summaries and p-values as holding the data in memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.data.stream import Source, infer_kinds, iter_chunks, normalize, open_source
from pitfall.data.summaries import RowSample, merge, quantile_edges, summarize_categorical, summarize_numeric
from tests.drift.synthetic import frame


def _stats(report):
    out = {}
    for col, entry in report.metrics["drift"]["features"].items():
        out[col] = (entry["statistic"], entry["p_adjusted"], entry["effect"], entry["reference"]["counts"])
    return out


def test_summaries_merge_exactly_whatever_the_chunking():
    rng = np.random.default_rng(0)
    x = rng.normal(size=10_001)
    x[::7] = np.nan
    edges = quantile_edges(x[:3000])
    whole = summarize_numeric(x, edges)
    parts = merge(summarize_numeric(x[i : i + 997], edges) for i in range(0, len(x), 997))
    assert np.array_equal(whole.counts, parts.counts) and whole.missing == parts.missing
    assert whole.total == pytest.approx(parts.total) and whole.lo == parts.lo and whole.hi == parts.hi
    s = pd.Series(rng.choice(["a", "b", None], size=5000))
    cat = merge(summarize_categorical(s.iloc[i : i + 333]) for i in range(0, 5000, 333))
    assert cat.counts == summarize_categorical(s).counts and cat.missing == summarize_categorical(s).missing


def test_row_sample_does_not_depend_on_chunks():
    df = frame(5000, seed=3)
    one = RowSample.of(df, 700, seed=4)
    many = merge(RowSample.of(df.iloc[i : i + 613], 700, seed=4) for i in range(0, 5000, 613))
    assert np.array_equal(one.keys, many.keys)
    pd.testing.assert_frame_equal(one.frame, many.frame)


def test_parquet_streamed_in_chunks_matches_in_memory(tmp_path):
    ref, cur = frame(6000, seed=1), frame(5000, seed=2, shift=0.3)
    cur.loc[cur.index[:400], "c"] = "new"
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    kw = dict(select="PF501", config=False, target="label", sample_rows=2000)
    memory = pitfall.drift(ref, cur, **kw)
    streamed = pitfall.drift(tmp_path / "ref.parquet", tmp_path / "cur.parquet", chunk_rows=777, **kw)
    assert not memory.crashed and not streamed.crashed
    a, b = _stats(memory), _stats(streamed)
    assert a.keys() == b.keys()
    for col in a:
        assert a[col][0] == pytest.approx(b[col][0], rel=1e-9, abs=1e-12)
        assert a[col][1] == pytest.approx(b[col][1], rel=1e-6, abs=1e-300)
        assert a[col][2] == pytest.approx(b[col][2], rel=1e-9)
        assert a[col][3] == b[col][3]
    assert memory.codes() == streamed.codes() == ["PF501", "PF501"]


def test_csv_stream_reads_the_same_values_as_read_table(tmp_path):
    df = frame(3000, seed=5)
    df.loc[df.index[::11], "x1"] = np.nan
    df.loc[df.index[::13], "c"] = None
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    table = open_source(path, "ref")  # small: read whole with read_table
    assert table.frame is not None
    streamed = Source(str(path), list(df.columns), path=path, fmt="csv")
    cols = list(df.columns)
    kinds = infer_kinds(streamed.head(cols), cols)
    assert kinds == infer_kinds(table.frame, cols)
    chunks = list(iter_chunks(path, cols, 500, _source=streamed))
    assert len(chunks) == 6
    got = pd.concat([normalize(c, kinds) for c in chunks], ignore_index=True)
    want = normalize(table.frame, kinds)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_csv_and_parquet_round_trip_give_the_same_report(tmp_path):
    ref, cur = frame(1500, seed=1), frame(1500, seed=2, shift=0.5)
    ref.to_csv(tmp_path / "ref.csv", index=False)
    cur.to_parquet(tmp_path / "cur.parquet")
    from_files = pitfall.drift(tmp_path / "ref.csv", tmp_path / "cur.parquet", select="PF501", config=False)
    from_frames = pitfall.drift(ref, cur, select="PF501", config=False)
    a, b = _stats(from_files), _stats(from_frames)
    assert a.keys() == b.keys()
    for col in a:
        assert a[col][:3] == pytest.approx(b[col][:3], rel=1e-9) and a[col][3] == b[col][3]
    assert from_files.codes() == from_frames.codes() == ["PF501"]
    assert from_files.inputs["reference"].endswith("ref.csv")
