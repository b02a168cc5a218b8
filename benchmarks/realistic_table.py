"""A realistic tabular train/test pair for the benchmarks, generated in row groups.

    python benchmarks/realistic_table.py --rows 1000000 --out bench-out/table

``rows`` rows, 80% train and 20% test, each a Parquet file of ``GROUP_ROWS``-row row groups:

- 20 numeric columns on different scales (``n00``–``n19``): Gaussians from 1e-3 to 1e6 in
  scale, log-normal amounts, Poisson counts and uniform fractions;
- 5 categoricals (``c0``–``c4``) with 10, 20, 30, 40 and 50 levels and Zipf(1.1) frequencies;
- with ``columns`` other than 25, four numeric columns to each categorical in the same pattern;
- 5% of the feature cells missing, completely at random;
- a binary ``label`` from a logistic model of four numeric columns and one categorical;
- 3 drifted columns in test: ``n03`` shifted by 0.2 standard deviations, ``n07`` spread by 30%,
  ``c1``'s level frequencies reversed;
- 1% of the test rows planted near copies of training rows (continuous columns moved by
  0.1% of their spread; counts, categories and the label kept), listed in ``planted.json``.

Every random step is seeded; the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

GROUP_ROWS = 100_000
N_NUMERIC = 20
LEVELS = (10, 20, 30, 40, 50)
MISSING = 0.05
NEAR_SHARE = 0.01
DRIFTED = ("n03", "n07", "c1")
COUNT_COLUMNS = {f"n{j:02d}" for j in range(1000) if j % 5 == 2}


def _numeric(rng: np.random.Generator, j: int, n: int) -> np.ndarray:
    kind = j % 5
    scale = 10.0 ** (-3 + 9 * (j % N_NUMERIC) / (N_NUMERIC - 1))  # 1e-3 ... 1e6
    if kind == 0 or kind == 3:
        return rng.normal(scale * (j % 3), scale, n)
    if kind == 1:
        return rng.lognormal(np.log(scale), 1.0, n)
    if kind == 2:
        return rng.poisson(1 + j, n).astype(float)
    return rng.uniform(0, 1, n)


def _zipf_probs(levels: int) -> np.ndarray:
    p = 1.0 / np.arange(1, levels + 1) ** 1.1
    return p / p.sum()


def _block(
    rng: np.random.Generator, n: int, test: bool, beta: np.ndarray, n_numeric: int, n_cat: int
) -> dict[str, np.ndarray]:
    cols: dict[str, np.ndarray] = {}
    z = np.zeros(n)
    for j in range(n_numeric):
        name = f"n{j:02d}"
        x = _numeric(rng, j, n)
        if test and name == "n03":
            x = x + 0.2 * x.std()
        if test and name == "n07":
            x = x.mean() + 1.3 * (x - x.mean())
        if j < 4:  # the label's numeric signal, on a common scale
            z += beta[j] * (x - x.mean()) / (x.std() + 1e-300)
        cols[name] = x
    for i in range(n_cat):
        levels = LEVELS[i % len(LEVELS)]
        p = _zipf_probs(levels)
        if test and f"c{i}" == "c1":
            p = p[::-1]
        codes = rng.choice(levels, size=n, p=p)
        if i == 0:
            z += np.linspace(-1, 1, levels)[codes]
        cols[f"c{i}"] = codes
    for name in list(cols):
        cols[name] = (cols[name], rng.random(n) < MISSING)
    cols["label"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.int64)
    return cols


def _arrow(cols: dict) -> pa.Table:
    arrays, names = [], []
    for name, value in cols.items():
        if name == "label":
            arrays.append(pa.array(value))
        elif name.startswith("c"):
            codes, missing = value
            labels = np.array([f"{name}_L{k:02d}" for k in range(max(LEVELS))], dtype=object)
            arrays.append(pa.array(labels[codes], mask=missing, type=pa.string()))
        else:
            x, missing = value
            arrays.append(pa.array(x, mask=missing, type=pa.float64()))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def generate(rows: int, out: Path, seed: int = 0, columns: int = 25) -> dict:
    """Write ``out/train.parquet`` and ``out/test.parquet``; return what was planted."""
    out.mkdir(parents=True, exist_ok=True)
    n_cat = max(1, columns // 5)
    n_numeric = columns - n_cat
    n_train = int(rows * 0.8)
    n_test = rows - n_train
    beta = np.array([1.0, -0.7, 0.5, 0.3])
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(min(n_train, GROUP_ROWS), size=int(NEAR_SHARE * n_test), replace=False))
    targets = np.sort(rng.choice(n_test, size=len(sources), replace=False))
    kept = None
    for name, n, test in (("train", n_train, False), ("test", n_test, True)):
        writer = None
        for start in range(0, n, GROUP_ROWS):
            m = min(GROUP_ROWS, n - start)
            block_rng = np.random.default_rng([seed, int(test), start])
            table = _arrow(_block(block_rng, m, test, beta, n_numeric, n_cat))
            if not test and start == 0:
                kept = table.take(pa.array(sources))
            if test:
                hit = (targets >= start) & (targets < start + m)
                if hit.any():
                    table = _plant(
                        table,
                        kept.slice(0).take(pa.array(np.flatnonzero(hit))),
                        targets[hit] - start,
                        np.random.default_rng([seed, 99, start]),
                    )
            if writer is None:
                writer = pq.ParquetWriter(out / f"{name}.parquet", table.schema)
            writer.write_table(table, row_group_size=GROUP_ROWS)
        writer.close()
    planted = {
        "rows": rows,
        "n_train": n_train,
        "n_test": n_test,
        "seed": seed,
        "near_copies": {"train_rows": sources.tolist(), "test_rows": targets.tolist()},
        "drifted": list(DRIFTED),
    }
    (out / "planted.json").write_text(json.dumps(planted))
    return planted


def _plant(table: pa.Table, copies: pa.Table, at: np.ndarray, rng: np.random.Generator) -> pa.Table:
    """Replace rows ``at`` of ``table`` with ``copies``, continuous columns nudged by 0.1% of their spread."""
    cols = {}
    for name in table.column_names:
        col = table.column(name).to_numpy(zero_copy_only=False).copy()
        new = copies.column(name).to_numpy(zero_copy_only=False).copy()
        if name.startswith("n") and name not in COUNT_COLUMNS:
            spread = np.nanstd(table.column(name).to_numpy(zero_copy_only=False).astype(float))
            new = new + rng.normal(0, 1e-3 * spread, len(new))
        col[at] = new
        cols[name] = pa.array(col, type=table.schema.field(name).type, from_pandas=True)
    return pa.Table.from_pydict(cols, schema=table.schema)


def in_memory_bytes(paths: list[Path]) -> int:
    """The pandas in-memory size of the files (categoricals as strings, as read by pitfall)."""
    total = 0
    for p in paths:
        df = pq.read_table(p).to_pandas()
        total += int(df.memory_usage(deep=True).sum())
        del df
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("bench-out/table"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--columns", type=int, default=25)
    args = ap.parse_args()
    planted = generate(args.rows, args.out, args.seed, args.columns)
    print(json.dumps({k: v for k, v in planted.items() if k != "near_copies"}))


if __name__ == "__main__":
    main()
